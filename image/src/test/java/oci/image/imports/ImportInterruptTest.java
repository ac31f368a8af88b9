package oci.image.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oci.image.store.Store;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) in the middle of an import leaves no copy of the archive's entries in the store's
 * scratch space. The archive is a FIFO the test writes, so the signal lands while an entry is being
 * copied, whatever the machine's speed.
 */
class ImportInterruptTest {
    @TempDir Path tmp;

    @Test
    void sigintMidEntryLeavesNoScratch() throws Exception {
        Store store = Store.open(tmp.resolve("store"));
        Path fifo = tmp.resolve("archive.tar");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), ChildImport.class.getName(), store.root().toString(), fifo.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path scratchRoot = store.root().resolve(".tmp");
        try (OutputStream out = Files.newOutputStream(fifo); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry("blobs/sha256/" + "0".repeat(64));
            e.setSize(64 << 20);
            tar.putArchiveEntry(e);
            tar.write(new byte[1 << 20]);
            tar.flush();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!copying(scratchRoot) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(10);
            assertTrue(copying(scratchRoot), "the child never started copying: " + Files.readString(tmp.resolve("child.log")));
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            assertNotEquals(0, p.waitFor(), Files.readString(tmp.resolve("child.log")));
        } catch (java.io.IOException brokenPipe) {
            // the reader is gone: expected once the child exits
        }
        assertNotEquals(0, p.waitFor());
        try (var s = Files.list(scratchRoot)) {
            assertEquals(List.of(), s.map(x -> x.getFileName().toString()).toList());
        }
    }

    /** A scratch file of the import holds some bytes. */
    private static boolean copying(Path scratchRoot) throws java.io.IOException {
        if (!Files.isDirectory(scratchRoot)) return false;
        try (var dirs = Files.list(scratchRoot)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!Files.isDirectory(d)) continue;
                try (var files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files::iterator) if (Files.size(f) > 0) return true;
                }
            }
        }
        return false;
    }
}
