package oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigestTest {
    static final String HEX64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void sha256RoundTrips() {
        Digest d = Digest.parse("sha256:" + HEX64);
        assertEquals("sha256", d.algorithm());
        assertEquals(HEX64, d.encoded());
        assertEquals("sha256:" + HEX64, d.toString());
        assertEquals(d, Digest.sha256(new byte[0]));
        assertEquals("e3b0c44298fc", d.shortHex());
    }

    @Test
    void sha512IsAccepted() throws Exception {
        byte[] raw = java.security.MessageDigest.getInstance("SHA-512").digest("x".getBytes(StandardCharsets.UTF_8));
        Digest d = Digest.of("sha512", raw);
        assertEquals(d, Digest.parse(d.toString()));
        assertEquals(128, d.encoded().length());
        assertEquals("SHA-512", d.hasher().getAlgorithm());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no colon               | e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | expected algorithm:hex",
        "empty algorithm        | :e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | expected algorithm:hex",
        "unknown algorithm      | md5:d41d8cd98f00b204e9800998ecf8427e | unsupported algorithm \"md5\"",
        "uppercase hex          | sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 | 64 lowercase hex",
        "too short              | sha256:e3b0c442 | 64 lowercase hex",
        "too long               | sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550 | 64 lowercase hex",
        "not hex                | sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | 64 lowercase hex",
        "sha512 with 64 chars   | sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | 128 lowercase hex",
        "path traversal         | sha256:../../etc/passwd | 64 lowercase hex",
    })
    void malformedIsRefusedWithTheInputQuoted(String name, String input, String why) {
        ImageException e = assertThrows(ImageException.class, () -> Digest.parse(input));
        assertTrue(e.getMessage().contains("\"" + input + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void missingIsRefused() {
        assertThrows(ImageException.class, () -> Digest.parse(null));
    }

    @Test
    void jsonUsesTheStringForm() {
        Descriptor d = Json.read(("{\"mediaType\":\"x\",\"digest\":\"sha256:" + HEX64 + "\",\"size\":0}").getBytes(StandardCharsets.UTF_8),
                Descriptor.class, "test");
        assertEquals(HEX64, d.digest().encoded());
        assertTrue(new String(Json.write(d), StandardCharsets.UTF_8).contains("\"digest\":\"sha256:" + HEX64 + "\""));
    }

    @Test
    void malformedDigestInJsonNamesTheDocument() {
        ImageException e = assertThrows(ImageException.class, () -> Json.read(
                "{\"mediaType\":\"x\",\"digest\":\"sha256:abc\",\"size\":0}".getBytes(StandardCharsets.UTF_8), Descriptor.class, "manifest M"));
        assertTrue(e.getMessage().startsWith("manifest M: invalid digest \"sha256:abc\""), e.getMessage());
    }
}
