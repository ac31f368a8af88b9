package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import oci.image.Digest;
import oci.linux.FileCalls;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree {@link Unpacker} writes equals the tree Debian's umoci writes for the same image of
 * several real layers (busybox-static plus files added, changed and removed by whiteouts, an opaque
 * directory, hardlinks, symlinks, xattrs, owners, modes). The store is an OCI layout, so umoci reads
 * it as it is.
 *
 * <p>Where umoci 0.4.7 is wrong by layer.md (second test): a whiteout standing after its
 * directory's own entry in the same layer removes lower-layer children and umoci leaves the
 * directory with the time of that removal instead of the mtime its entry gives. One difference
 * outside the spec: when no layer names the root directory, umoci sets its mtime to the epoch;
 * oci leaves it as created.
 */
class UmociComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void treeEqualsUmocis() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "umoci is not installed (apt-get install umoci)");
        assumeTrue(Fixture.isRoot(), "umoci unpack without --rootless needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        byte[] cap = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] l1 = Tar.build().dir("bin").file("bin/busybox", Files.readAllBytes(TestImage.BUSYBOX), 0755)
                .hardlink("bin/sh", "bin/busybox").symlink("bin/ls", "busybox")
                .dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").file("etc/motd", "hello\n")
                .dir("home").dir("home/user", 0750).entry("home/user/.profile", TarConstants.LF_NORMAL, 0640, "PS1=$\n".getBytes(), e -> {
                    e.setUserId(1000);
                    e.setGroupId(1000);
                })
                .entry("bin/su", TarConstants.LF_NORMAL, 04755, "su".getBytes(), e -> {})
                .file("etc/tagged", "x".getBytes(), 0644, 0, 0, Map.of("user.origin", "layer1"))
                .dir("var").dir("var/cache").file("var/cache/a", "a").dir("var/cache/sub").file("var/cache/sub/b", "b")
                .dir("old").file("old/file", "o").file("tochange", "file").dir("todir-gone").file("todir-gone/x", "x")
                .dir("tmp", 01777).fifo("run.fifo").bytes();
        byte[] l2 = Tar.build().file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
                .whiteout("etc/motd").whiteout("old").dir("var/cache").opaque("var/cache").file("var/cache/new", "n")
                .hardlink("bin/busybox-link", "bin/busybox").symlink("bin/cat", "/bin/busybox").dir("tochange")
                .file("tochange/now-a-dir", "d").bytes();
        byte[] l3 = Tar.build().entry("bin/ping", TarConstants.LF_NORMAL, 0755, "ping".getBytes(),
                e -> e.addPaxHeader("SCHILY.xattr.security.capability", new String(cap, StandardCharsets.ISO_8859_1)))
                .symlink("todir-gone", "tmp").file("etc/added", "added\n").bytes();
        l3 = RawPax.rewriteXattr(l3, "security.capability", cap);
        var img = f.image("cmp", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2), Fixture.Layer.plain(l3)), null);

        Path umociRootfs = umociUnpack(f, "cmp");

        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());

        Map<String, String> ours = snapshot(f.target);
        Map<String, String> theirs = snapshot(umociRootfs);
        assertEquals(theirs, ours);
        assertTrue(ours.size() > 20 && ours.containsKey("bin/ping") && ours.containsKey("var/cache/new"),
                ours.toString());
        // and the things that matter most are really there
        assertEquals(HexFormat.of().formatHex(cap), HexFormat.of().formatHex(
                FileCalls.system().lgetxattr(f.target.resolve("bin/ping").toString(), "security.capability")));
    }

    @Test
    void whiteoutsAfterTheLayersOwnEntriesAgreeWithUmoci() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "umoci is not installed (apt-get install umoci)");
        assumeTrue(Fixture.isRoot(), "umoci unpack without --rootless needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        byte[] l1 = Tar.build().dir("d").file("d/x", "x").file("a", "lower").dir("e").file("e/old", "o").bytes();
        byte[] l2 = Tar.build().dir("d").file("d/z", "z").opaque("d").file("a", "upper").whiteout("a")
                .dir("e").file("e/new", "n").whiteout("e").bytes();
        var img = f.image("probe", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2)), null);
        Path umociRootfs = umociUnpack(f, "probe");
        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());
        // the opaque marker and the whiteouts come after the layer's own d/z, a and e/new: those stay
        Map<String, String> expected = Map.of("a", "f 644 0:0 5", "d", "d 755 0:0", "d/z", "f 644 0:0 1", "e", "d 755 0:0",
                "e/new", "f 644 0:0 1");
        assertEquals(expected, Fixture.describe(f.target));
        Map<String, String> ours = snapshot(f.target);
        Map<String, String> theirs = snapshot(umociRootfs);
        // Where umoci is wrong: e's entry sets its mtime, then .wh.e (later in the same layer) removes e/old
        // of the lower layer, and umoci leaves e with the time of that removal. The layer says 2024.
        String layerTime = " mtime=" + FileTime.from(java.time.Instant.parse("2024-01-02T03:04:05.1234567Z"));
        assertTrue(ours.get("e").endsWith(layerTime), ours.get("e"));
        assertTrue(!theirs.get("e").endsWith(layerTime), "umoci got it right after all: " + theirs.get("e"));
        ours.remove("e");
        theirs.remove("e");
        assertEquals(theirs, ours);
    }

    @Test
    void writesThroughASymlinkWhoseTargetIsMissingAgreeWithUmoci() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "umoci is not installed (apt-get install umoci)");
        assumeTrue(Fixture.isRoot(), "umoci unpack without --rootless needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        byte[] l1 = Tar.build().dir("var").symlink("var/run", "/run").symlink("var/lock", "../run/lock").bytes();
        byte[] l2 = Tar.build().file("var/run/app.pid", "1\n").file("var/lock/app.lock", "").bytes();
        var img = f.image("dangling", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2)), null);
        Path umociRootfs = umociUnpack(f, "dangling");
        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());
        Map<String, String> ours = snapshot(f.target);
        Map<String, String> theirs = snapshot(umociRootfs);
        // the directories both create for the missing targets get the time they were made: not compared
        ours.replaceAll((k, v) -> v.startsWith("d ") ? v.replaceAll(" mtime=.*", "") : v);
        theirs.replaceAll((k, v) -> v.startsWith("d ") ? v.replaceAll(" mtime=.*", "") : v);
        assertEquals(theirs, ours);
        assertEquals("1\n", Files.readString(f.target.resolve("run/app.pid")));
    }

    @Test
    void namesThatAreNotUtf8AgreeWithUmoci() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")), "umoci is not installed (apt-get install umoci)");
        assumeTrue(Fixture.isRoot(), "umoci unpack without --rootless needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        // layers GNU tar makes of trees whose names are bytes: its own format (header and 'L'/'K'
        // long names) and POSIX (PAX path/linkpath with hdrcharset=BINARY)
        FileCalls raw = FileCalls.rawNames();
        String rawName = "raw-\u00ff\u00fe";
        String longDir = "l".repeat(110) + "\u00e9";
        Path src1 = tmp.resolve("src1");
        Files.createDirectories(src1);
        int d = FileCalls.system().openat(FileCalls.AT_FDCWD, src1.toString(), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
        try {
            raw.mkdirat(d, rawName, 0755);
            rawFile(d, rawName + "/f-\u0080", "in raw dir");
            rawFile(d, "caf\u00e9", "latin-1");
            rawFile(d, "caf\u00c3\u00a9", "utf-8");
            raw.linkat(d, "caf\u00e9", d, "hard-\u00e9", 0);
            raw.symlinkat(rawName + "/f-\u0080", d, "to-" + rawName);
            raw.mkdirat(d, "opq-\u00fe", 0750);
            rawFile(d, "opq-\u00fe/old-\u00ff", "old");
            rawFile(d, "gone-\u00ff", "gone");
            raw.mkdirat(d, longDir, 0755);
            rawFile(d, longDir + "/" + "n".repeat(40) + "-\u00ff", "long");
            raw.symlinkat(longDir + "/" + "n".repeat(40) + "-\u00ff", d, "long-link-\u00fe");
        } finally {
            FileCalls.system().close(d);
        }
        Path src2 = tmp.resolve("src2");
        Files.createDirectories(src2);
        d = FileCalls.system().openat(FileCalls.AT_FDCWD, src2.toString(), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
        try {
            rawFile(d, ".wh.gone-\u00ff", "");
            raw.mkdirat(d, "opq-\u00fe", 0750);
            rawFile(d, "opq-\u00fe/.wh..wh..opq", "");
            rawFile(d, "opq-\u00fe/new-\u00fe", "new");
            raw.mkdirat(d, rawName, 0755);
            rawFile(d, rawName + "/.wh.f-\u0080", "");
            rawFile(d, rawName + "/g-\u0081", "g");
            raw.linkat(d, rawName + "/g-\u0081", d, rawName + "/h-\u0082", 0);
            raw.symlinkat("../" + rawName + "/g-\u0081", d, "pax-link-\u00fe");
        } finally {
            FileCalls.system().close(d);
        }
        byte[] l1 = gnuTar(src1, "gnu");
        byte[] l2 = gnuTar(src2, "posix");
        var img = f.image("bytes", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.plain(l2)), null);
        Path umociRootfs = umociUnpack(f, "bytes");
        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());
        Map<String, String> ours = snapshot(f.target);
        Map<String, String> theirs = snapshot(umociRootfs);
        assertEquals(theirs, ours);
        // what both wrote: every name and target byte for byte, the whiteouts applied
        assertTrue(ours.containsKey(rawName + "/g-\u0081") && ours.containsKey("caf\u00e9") && ours.containsKey("caf\u00c3\u00a9")
                && ours.containsKey(longDir + "/" + "n".repeat(40) + "-\u00ff") && ours.containsKey("opq-\u00fe/new-\u00fe"), ours.keySet().toString());
        assertTrue(!ours.containsKey("gone-\u00ff") && !ours.containsKey(rawName + "/f-\u0080") && !ours.containsKey("opq-\u00fe/old-\u00ff"),
                ours.keySet().toString());
        assertTrue(ours.get("hard-\u00e9").contains(" nlink=2"), ours.get("hard-\u00e9"));
        assertTrue(ours.get(rawName + "/h-\u0082").contains(" nlink=2"), ours.get(rawName + "/h-\u0082"));
        assertTrue(ours.get("pax-link-\u00fe").contains(" target=../" + rawName + "/g-\u0081 "), ours.get("pax-link-\u00fe"));
    }

    /** Writes a file at raw name {@code name} below directory fd {@code dir}. */
    private static void rawFile(int dir, String name, String content) throws Exception {
        int fd = FileCalls.rawNames().openat(dir, name, FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL | FileCalls.O_CLOEXEC, 0644);
        try {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            FileCalls.system().pwriteFully(fd, b, b.length, 0);
        } finally {
            FileCalls.system().close(fd);
        }
    }

    /** GNU tar's archive of {@code dir} in {@code format} (gnu, posix), members in name order. */
    private byte[] gnuTar(Path dir, String format) throws Exception {
        Path out = tmp.resolve(dir.getFileName() + ".tar");
        Process p = new ProcessBuilder("tar", "--format=" + format, "--sort=name", "-C", dir.toString(), "-cf", out.toString(), ".")
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "tar failed: " + said);
        return Files.readAllBytes(out);
    }

    /** Runs {@code umoci unpack} of the store's image {@code name} into a bundle; returns its rootfs. */
    private Path umociUnpack(Fixture f, String name) throws Exception {
        Path bundle = tmp.resolve("umoci-bundle");
        Process p = new ProcessBuilder("umoci", "unpack", "--image", f.store.root() + ":" + name, bundle.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "umoci unpack failed: " + out);
        return bundle.resolve("rootfs");
    }

    /**
     * path → type, mode, owner, size, link target, nlink, xattrs, content digest and mtime. Paths,
     * link targets and xattr names are raw names (one char per byte): names need not be UTF-8.
     */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        FileCalls fs = FileCalls.rawNames();
        String rawRoot = Fixture.rawName(root);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String raw = Fixture.rawName(p);
                String rel = root.equals(p) ? "." : raw.substring(rawRoot.length() + 1);
                StringBuilder b = new StringBuilder(Fixture.describeOne(p));
                if (Files.isSymbolicLink(p)) b.append(" target=").append(fs.readlinkat(FileCalls.AT_FDCWD, raw));
                b.append(" nlink=").append(Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS));
                List<String> names = fs.llistxattr(raw).stream().sorted().toList();
                for (String n : names) {
                    byte[] v = fs.lgetxattr(raw, n);
                    b.append(' ').append(n).append('=').append(HexFormat.of().formatHex(v));
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    b.append(" sha=").append(Digest.sha256(Files.readAllBytes(p)).shortHex());
                    b.append(" mtime=").append(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                }
                // directories and symlinks too; not the root: no layer names it, umoci sets it to the epoch, oci leaves it
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !rel.equals(".")) {
                    b.append(" mtime=").append(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                }
                out.put(rel, b.toString());
            }
        }
        return out;
    }
}
