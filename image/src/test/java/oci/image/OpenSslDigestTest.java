package oci.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** libcrypto's digests must equal the JDK's on every input shape; without libcrypto the JDK's is used. */
class OpenSslDigestTest {
    private static final int[] SIZES = {0, 1, 3, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4095, 65_537, (1 << 20) + 13, (3 << 20) + 7};

    private static OpenSslDigest.Calls calls;

    @BeforeAll
    static void bind() {
        calls = OpenSslDigest.Calls.load(OpenSslDigest.LIBRARY);
        // The build machines have libssl3 (Debian's OpenSSL 3); elsewhere only the fallback is tested.
        assumeTrue(calls != null, OpenSslDigest.LIBRARY + " not available");
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sha256", "sha512"})
    void oneUpdateEqualsTheJdk(String algorithm) {
        for (int size : SIZES) {
            byte[] data = random(size, size);
            assertArrayEquals(Digest.jdkHasher(algorithm).digest(data), OpenSslDigest.create(calls, algorithm).digest(data), algorithm + " of " + size + " bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sha256", "sha512"})
    void piecesOfRandomLengthsAtRandomOffsetsEqualTheJdk(String algorithm) {
        Random r = new Random(7);
        for (int size : SIZES) {
            byte[] data = random(size, ~size);
            MessageDigest jdk = Digest.jdkHasher(algorithm), ssl = OpenSslDigest.create(calls, algorithm);
            for (int off = 0; off < size; ) {
                int n = Math.min(size - off, r.nextInt(3) == 0 ? r.nextInt(200) : r.nextInt(70_000));
                jdk.update(data, off, n);
                ssl.update(data, off, n);
                if (n > 0 && r.nextInt(10) == 0) { // a single byte now and then
                    jdk.update(data[off]);
                    ssl.update(data[off]);
                }
                off += n;
            }
            assertArrayEquals(jdk.digest(), ssl.digest(), algorithm + " of " + size + " bytes in pieces");
        }
    }

    @Test
    void directAndHeapBuffersAreHashedFromTheirPositionToTheirLimit() {
        byte[] data = random((1 << 20) + 333, 3);
        for (boolean direct : new boolean[] {true, false}) {
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect(data.length + 100) : ByteBuffer.allocate(data.length + 100);
            buf.position(50);
            buf.put(data);
            buf.position(50).limit(50 + data.length);
            MessageDigest ssl = OpenSslDigest.create(calls, "sha256");
            ssl.update(buf);
            assertEquals(buf.limit(), buf.position(), "the buffer is consumed");
            assertArrayEquals(Digest.jdkHasher("sha256").digest(data), ssl.digest(), direct ? "direct" : "heap");
        }
    }

    @Test
    void digestAndResetStartAfresh() {
        MessageDigest ssl = OpenSslDigest.create(calls, "sha256");
        byte[] a = random(100, 1), b = random(200, 2);
        ssl.update(a);
        ssl.digest();
        assertArrayEquals(Digest.jdkHasher("sha256").digest(b), ssl.digest(b), "after digest()");
        ssl.update(a);
        ssl.reset();
        assertArrayEquals(Digest.jdkHasher("sha256").digest(b), ssl.digest(b), "after reset()");
        assertEquals("SHA-256", ssl.getAlgorithm());
        assertEquals(32, ssl.getDigestLength());
    }

    @Test
    void aBadRangeIsRefusedBeforeNativeCode() {
        MessageDigest ssl = OpenSslDigest.create(calls, "sha256");
        assertThrows(IllegalArgumentException.class, () -> ssl.update(new byte[10], 5, 6));
    }

    @Test
    void aMissingLibraryMeansNoNativeDigest() {
        assertNull(OpenSslDigest.Calls.load("libcrypto-that-does-not-exist.so.0"));
        assertNull(OpenSslDigest.Calls.load("libc.so.6"), "a library without the EVP functions");
    }

    @Test
    void theJdkFallbackHashesAlike() {
        // What Digest.newHasher returns where libcrypto is missing: the JDK's digest, same answers.
        byte[] data = random(12_345, 9);
        MessageDigest jdk = Digest.jdkHasher("sha256");
        assertNotNull(jdk);
        assertEquals(Digest.compute("sha256", data), Digest.of("sha256", jdk.digest(data)));
        assertEquals(Digest.compute("sha256", data), Digest.of("sha256", Digest.newHasher("sha256").digest(data)));
    }

    @Test
    void newHasherUsesLibcryptoUnlessToldNotTo() {
        if (Boolean.parseBoolean(System.getProperty("oci.nativeDigest", "true"))) {
            assertInstanceOf(OpenSslDigest.class, Digest.newHasher("sha256"));
            assertInstanceOf(OpenSslDigest.class, Digest.newHasher("sha512"));
        } else { // the jdk-digest test run (image/pom.xml)
            assertNull(OpenSslDigest.create("sha256"));
            assertEquals("SHA-256", Digest.newHasher("sha256").getAlgorithm());
        }
    }
}
