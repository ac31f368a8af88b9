package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.linux.FileCalls;
import oci.testdata.Tar;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacking as an unprivileged user, for real: the unpack runs in a child JVM as user nobody
 * (setpriv --reuid=65534), so chown, mknod and security.* xattrs really fail with EPERM.
 * Needs root to switch to nobody (CI runs as root).
 */
class RootlessTest {
    @TempDir
    Path tmp;

    Fixture f;
    Path cp;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Fixture.isRoot(), "switching to user nobody needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is missing");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        f = new Fixture(tmp);
        Files.setPosixFilePermissions(f.target.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        // the test class path, copied where nobody can read it (~/.m2 is root's)
        cp = tmp.resolve("cp");
        Files.createDirectories(cp);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = cp.resolve(i++ + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (var s = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Path d = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) Files.createDirectories(d);
                        else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                Files.copy(src, dst);
            }
            entries.add(dst.toString());
        }
        Files.writeString(cp.resolve("path"), String.join(File.pathSeparator, entries));
    }

    /** Lets nobody read the store and the class path. */
    private void openUp() throws Exception {
        try (var s = Files.walk(tmp)) {
            s.forEach(p -> p.toFile().setReadable(true, false));
        }
        try (var s = Files.walk(tmp)) {
            s.filter(Files::isDirectory).forEach(p -> p.toFile().setExecutable(true, false));
        }
    }

    private record Result(int exit, String out) {}

    private Result runAsNobody(String... args) throws Exception {
        openUp();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED", "-cp",
                Files.readString(cp.resolve("path")), ChildUnpack.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private byte[] image() {
        byte[] cap = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] tar = Tar.build().dir("dev").charDevice("dev/null", 1, 3).blockDevice("dev/sda", 8, 0)
                .entry("home", TarConstants.LF_DIR, 0755, null, e -> {
                    e.setUserId(1000);
                    e.setGroupId(1000);
                })
                .entry("home/app", TarConstants.LF_NORMAL, 0640, "app".getBytes(), e -> {
                    e.setUserId(1000);
                    e.setGroupId(50);
                })
                .file("rootfile", "r")
                .dir("ro", 0555).file("ro/inside", "written although ro is 0555")
                .symlink("link", "rootfile")
                .entry("ping", TarConstants.LF_NORMAL, 0755, "p".getBytes(),
                        e -> e.addPaxHeader("SCHILY.xattr.security.capability", new String(cap, StandardCharsets.ISO_8859_1)))
                .bytes();
        return tar;
    }

    @Test
    void unprivilegedUnpackRecordsOwnersAndSkipsDevicesWithOneWarning() throws Exception {
        f.image("rootless", List.of(Fixture.Layer.gzip(image())), null);
        Result r = runAsNobody(f.store.root().toString(), "rootless", f.target.toString());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("warning: skipped 2 device nodes"), r.out());
        assertTrue(r.out().contains("warning: skipped 1 security.*/trusted.* xattr"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.contains("device")).filter(l -> l.startsWith("warning")).count());
        FileCalls fs = FileCalls.system();
        // every file belongs to the unpacking user; the image's owner is in user.rootlesscontainers
        assertEquals("f 640 65534:65534 3", Fixture.describeOne(f.target.resolve("home/app")));
        assertArrayEquals(new byte[] {0x08, (byte) 0xe8, 0x07, 0x10, 0x32},
                fs.lgetxattr(f.target.resolve("home/app").toString(), Applier.ROOTLESS_XATTR));
        assertArrayEquals(new byte[] {0x08, (byte) 0xe8, 0x07, 0x10, (byte) 0xe8, 0x07},
                fs.lgetxattr(f.target.resolve("home").toString(), Applier.ROOTLESS_XATTR));
        assertNull(fs.lgetxattr(f.target.resolve("rootfile").toString(), Applier.ROOTLESS_XATTR), "root's files need no record");
        assertEquals(Map.of(), Fixture.describe(f.target.resolve("dev")));
        assertEquals("d 555 65534:65534", Fixture.describeOne(f.target.resolve("ro")));
        assertEquals("written although ro is 0555", Files.readString(f.target.resolve("ro/inside")));
        assertTrue(Files.isSymbolicLink(f.target.resolve("link")));
    }

    @Test
    void epermFromAChownTheMapAsksForIsAnError() throws Exception {
        f.image("rootless", List.of(Fixture.Layer.gzip(Tar.build().file("x", "x").bytes())), null);
        // container 0 -> host 0: nobody may not give files to root
        Result r = runAsNobody(f.store.root().toString(), "rootless", f.target.toString(), "0:0:65536");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("entry \"x\"") && r.out().contains("EPERM"), r.out());
        assertFalse(Files.exists(f.target));
    }
}
