package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnpackCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private Run oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void unpacksAnImageFromTheStoreAndRefusesAnExistingDirWithoutForce() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        TestImage.create().layer(Tar.build().dir("etc").file("etc/hostname", "box\n").bytes())
                .layer(Tar.build().whiteout("etc/hostname").file("etc/issue", "hi\n").bytes()).into(store, "example.com/app:1");
        Path dir = tmp.resolve("rootfs");
        Run r = oci("--store", store.root().toString(), "unpack", "example.com/app:1", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("unpacked example.com/app:1 into " + dir + " (2 layers"), r.out());
        assertEquals("hi\n", Files.readString(dir.resolve("etc/issue")));
        assertTrue(Files.notExists(dir.resolve("etc/hostname")));

        r = oci("--store", store.root().toString(), "unpack", "example.com/app:1", dir.toString());
        assertEquals(1, r.exit());
        assertEquals("oci: unpack into " + dir + ": it already exists (use --force to replace it)\n", r.err());

        r = oci("--store", store.root().toString(), "unpack", "--force", "--max-bytes", "1M", "example.com/app:1", dir.toString());
        assertEquals(0, r.exit(), r.err());

        // the tar streams (with their 10 KiB records) are larger than 2 KiB
        r = oci("--store", store.root().toString(), "unpack", "--force", "--max-bytes", "2K", "example.com/app:1", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("oci: unpack layer sha256:") && r.err().contains("limit of 2048 bytes"), r.err());
        assertEquals("hi\n", Files.readString(dir.resolve("etc/issue")), "a failed --force unpack leaves DIR as it was");

        r = oci("--store", store.root().toString(), "unpack", "--force", "--max-bytes", "lots", "example.com/app:1", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("oci: invalid --max-bytes \"lots\""), r.err());

        r = oci("--store", store.root().toString(), "unpack", "--max-bytes", "lots", "example.com/not-here:1", dir.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("oci: invalid --max-bytes \"lots\""), "the option is checked before the image: " + r.err());

        r = oci("--store", store.root().toString(), "unpack", "--force", "--uid-map", "0:1", "example.com/app:1", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("oci: invalid id map \"0:1\""), r.err());
    }
}
