package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) in the middle of an unpack leaves neither the target nor the temporary tree. */
class InterruptTest {
    @TempDir
    Path tmp;

    @Test
    void sigintMidwayLeavesNothingBehind() throws Exception {
        Fixture f = new Fixture(tmp);
        // many files, so the unpack is still running when the signal comes
        var buf = new java.io.ByteArrayOutputStream();
        byte[] data = new byte[2 << 10];
        new java.util.Random(1).nextBytes(data);
        try (var t = new TarArchiveOutputStream(buf)) {
            for (int i = 0; i < 40000; i++) {
                TarArchiveEntry e = new TarArchiveEntry("d" + (i / 500) + "/f" + i);
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        f.image("big", List.of(Fixture.Layer.plain(buf.toByteArray())), null);
        buf = null;
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ChildUnpack.class.getName(), f.store.root().toString(), "big",
                f.target.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path work = f.target.getParent();
        long deadline = System.nanoTime() + 60_000_000_000L;
        boolean started = false;
        while (!started && System.nanoTime() < deadline && p.isAlive()) {
            try (var s = Files.list(work)) {
                for (Path tmpTree : (Iterable<Path>) s.filter(x -> x.getFileName().toString().startsWith(".rootfs.unpack-"))::iterator) {
                    if (Files.exists(tmpTree.resolve("d2"))) started = true;
                }
            }
            Thread.sleep(20);
        }
        assertTrue(started, "the child never got going: " + Files.readString(tmp.resolve("child.log")));
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        int exit = p.waitFor();
        assertTrue(exit != 0, "interrupted unpack exited 0: " + Files.readString(tmp.resolve("child.log")));
        try (var s = Files.list(work)) {
            assertEquals(List.of("sentinel"), s.map(x -> x.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(f.target));
    }
}
