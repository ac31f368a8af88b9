package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import oci.testdata.Tar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnpackerTest {
    @TempDir
    Path tmp;

    @Test
    void basicImageUnpacksIntoTarget() throws Exception {
        Fixture f = new Fixture(tmp);
        Rootfs r = f.unpack(Tar.build().dir("etc").file("etc/hostname", "box\n").symlink("link", "etc/hostname").bytes());
        assertEquals(f.target, r.dir());
        assertEquals("box\n", Files.readString(f.target.resolve("etc/hostname")));
        assertEquals(Path.of("etc/hostname"), Files.readSymbolicLink(f.target.resolve("link")));
        assertEquals(1, r.diffIds().size());
        assertEquals(Map.of("keep", "f 644 0:0 10"), f.sentinelState());
    }
}
