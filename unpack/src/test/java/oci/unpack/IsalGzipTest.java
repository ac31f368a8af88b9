package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/**
 * ISA-L's inflate gives what GZIPInputStream gives, byte for byte, and fails where it fails, with
 * the same kind of exception (LayerStream words them: "truncated", "corrupt gzip data").
 */
class IsalGzipTest {
    /** Where Debian's libisal2 puts the library: present there, it must be the one used (not a silent fallback). */
    @Test
    void isUsedWhereTheLibraryIsInstalled() {
        boolean installed = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib").stream()
                .anyMatch(d -> Files.exists(Path.of(d, "libisal.so.2")));
        assumeTrue(installed, "libisal2 is not installed: zlib inflates");
        if (ZLIB_ASKED) {
            assertFalse(IsalGzip.usable(), "-Doci.isal=false, yet ISA-L was taken");
        } else {
            assertTrue(IsalGzip.usable(), "libisal.so.2 is installed but was not taken (its probe failed)");
        }
    }

    /** The unpack module's zlib-inflate test run sets this, so that it truly tests the fallback. */
    private static final boolean ZLIB_ASKED = "false".equals(System.getProperty("oci.isal"));

    @Test
    void inflatesAsGzipInputStreamDoes() throws IOException {
        assumeTrue(IsalGzip.usable(), "ISA-L is not in use here (libisal2 not installed, or -Doci.isal=false)");
        Random r = new Random(14);
        byte[] small = "hello\n".getBytes();
        byte[] big = new byte[3 << 20]; // several input and output buffers; half random, half repetitive
        r.nextBytes(big);
        Arrays.fill(big, big.length / 2, big.length, (byte) 'x');
        byte[] text = "line of a text file with some words in it\n".repeat(50_000).getBytes();
        for (byte[] gz : List.of(gzip(small), gzip(big), gzip(text), gzip(new byte[0]),
                concat(gzip(text), gzip(small), gzip(big)), // members are one stream
                concat(gzip(text), "trailing bytes that are no gzip".getBytes()), // ignored, as GZIPInputStream does
                concat(gzip(small), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}))) { // a later "member" without a valid header ends the stream
            byte[] want = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
            assertArrayEquals(want, isal(gz, 4096));
            assertArrayEquals(want, isal(gz, 1 << 20));
        }
    }

    @Test
    void aCutStreamIsAnEofAndBadDataAZipException() throws IOException {
        assumeTrue(IsalGzip.usable(), "ISA-L is not in use here (libisal2 not installed, or -Doci.isal=false)");
        byte[] text = "line of a text file with some words in it\n".repeat(50_000).getBytes();
        byte[] gz = gzip(text);
        for (int cut : new int[] {5, 11, gz.length / 2, gz.length - 4}) {
            byte[] part = Arrays.copyOf(gz, cut);
            assertThrows(EOFException.class, () -> new GZIPInputStream(new ByteArrayInputStream(part)).readAllBytes());
            assertThrows(EOFException.class, () -> isal(part, 4096), "cut at " + cut);
        }
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 1;
        assertThrows(ZipException.class, () -> isal(badCrc, 4096));
        byte[] badData = gz.clone();
        for (int i = 20; i < 60; i++) badData[i] = (byte) 0xff;
        assertThrows(ZipException.class, () -> isal(badData, 4096));
        byte[] notGzip = gz.clone();
        notGzip[2] = 7; // compression method
        assertThrows(ZipException.class, () -> isal(notGzip, 4096));
    }

    /** Inflates gz, read by the caller in blocks of {@code block} bytes. */
    private static byte[] isal(byte[] gz, int block) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new IsalGzip(new ByteArrayInputStream(gz))) {
            byte[] b = new byte[block];
            for (int n; (n = in.read(b)) >= 0; ) out.write(b, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p);
        return out.toByteArray();
    }
}
