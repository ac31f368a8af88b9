package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import oci.image.Descriptor;
import oci.image.Manifest;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) while `oci bundle` unpacks leaves no bundle directory it created. The layer blob
 * is a FIFO the test writes, so the signal lands mid-layer whatever the machine's speed.
 */
class BundleInterruptTest {
    @TempDir Path tmp;

    @Test
    void sigintMidUnpackRemovesTheDirectoryItCreated() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Descriptor m = TestImage.create().layer(Tar.build().file("a", "a").bytes(), false).cmd("/a").into(store, "example.com/i:1");
        Descriptor layer = Manifest.parse(store.readBlob(m.digest()), "manifest").layers().get(0);
        Path blob = store.blobPath(layer.digest());
        Files.delete(blob);
        assertEquals(0, new ProcessBuilder("mkfifo", blob.toString()).start().waitFor());
        Path dir = tmp.resolve("bundle");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ChildBundle.class.getName(), store.root().toString(), "example.com/i:1",
                dir.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        // read-write: opening a FIFO so never blocks, whether or not the child gets to read it
        try (FileChannel fifo = FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            try (TarArchiveOutputStream t = new TarArchiveOutputStream(head)) {
                TarArchiveEntry e = new TarArchiveEntry("big");
                e.setSize(64 << 20);
                t.putArchiveEntry(e);
                t.flush();
                fifo.write(ByteBuffer.wrap(head.toByteArray()));
                // the unpack reads ahead in large blocks: feed it until the entry shows up
                ByteBuffer chunk = ByteBuffer.allocate(256 << 10);
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (int fed = 0; !unpacking(dir) && System.nanoTime() < deadline && p.isAlive() && fed < 48; fed++) {
                    fifo.write(chunk.clear());
                    Thread.sleep(10);
                }
                assertTrue(unpacking(dir), "the child never started unpacking: " + Files.readString(tmp.resolve("child.log")));
                assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            } catch (java.io.IOException unfinishedEntry) {
                // closing the tar stream mid-entry: expected
            }
        } // closed: the child's read, if blocked on the FIFO, ends as a network or disk read would
        assertNotEquals(0, p.waitFor(), Files.readString(tmp.resolve("child.log")));
        assertFalse(Files.exists(dir), "left behind: " + (Files.exists(dir) ? Files.list(dir).toList() : ""));
    }

    /** The unpack's temporary tree under DIR holds the entry being written. */
    private static boolean unpacking(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) return false;
        try (var s = Files.list(dir)) {
            for (Path t : (Iterable<Path>) s::iterator) if (t.getFileName().toString().contains(".unpack-") && Files.exists(t.resolve("big"))) return true;
        }
        return false;
    }
}
