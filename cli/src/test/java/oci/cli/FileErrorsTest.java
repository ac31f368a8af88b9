package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file operation that fails (a path through a regular file, a name too long) is one line naming
 * the command, what it was doing and the file, never a Java exception class. These cases fail the
 * same way as root, so they run in CI.
 */
class FileErrorsTest {
    @TempDir Path dir;
    Path root;
    Path aFile;

    @BeforeEach
    void fill() throws Exception {
        root = dir.resolve("store");
        TestImage.create().layer(Tar.build().file("hello", "hello\n").bytes()).cmd("/hello").into(Store.open(root), "example.com/app:1");
        aFile = Files.writeString(dir.resolve("a-file"), "x");
    }

    static Cli.Result fails(Path store, String... args) {
        Cli.Result r = Cli.run(store, args);
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertFalse(r.err().contains("Exception"), r.toString());
        return r;
    }

    @Test
    void aStoreThatIsAFile() {
        Cli.Result r = fails(aFile, "images");
        assertEquals("oci: open store " + aFile + ": file exists: " + aFile + "\n", r.err());
        r = fails(aFile.resolve("store"), "images");
        assertEquals("oci: open store " + aFile.resolve("store") + ": not a directory: " + aFile.resolve("store") + "\n", r.err());
    }

    @Test
    void importWhenTheStoreScratchSpaceIsAFile() throws Exception {
        try (var leftovers = Files.list(root.resolve(".tmp"))) {
            assertEquals(0, leftovers.count());
        }
        Files.delete(root.resolve(".tmp"));
        Files.writeString(root.resolve(".tmp"), "in the way");
        Cli.Result r = fails(root, "import", aFile.toString());
        assertEquals("oci: import " + aFile + ": file exists: " + root.resolve(".tmp") + "\n", r.err());
    }

    @Test
    void unpackUnderAFile() {
        Path target = aFile.resolve("rootfs");
        Cli.Result r = fails(root, "unpack", "example.com/app:1", target.toString());
        assertEquals("oci: unpack into " + target + ": file exists: " + aFile + "\n", r.err());
    }

    @Test
    void bundleWithANameTooLong() {
        Path target = dir.resolve("b".repeat(300));
        Cli.Result r = fails(root, "bundle", "example.com/app:1", target.toString());
        assertTrue(r.err().startsWith("oci: bundle: file name too long: " + target), r.toString());
        assertFalse(Files.exists(target));
    }
}
