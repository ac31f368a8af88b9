package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import oci.image.Digest;
import oci.image.store.StoredImage;
import oci.linux.FileCalls;
import oci.testdata.Mounts;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's layer snapshots: an overlay mount of them shows exactly the tree {@link Unpacker}
 * writes (so what umoci writes, UmociComparisonTest), whiteouts are in overlay's form, writes stay in
 * the mount's own upper directory, and what overlay cannot show is refused.
 */
class SnapshotsTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void rootOnly() {
        assumeTrue(Fixture.isRoot(), "overlay mounts need root (CI runs as root)");
    }

    @AfterEach
    void unmount() throws Exception {
        Mounts.unmountAllUnder(tmp);
    }

    /** The layers of UmociComparisonTest, less the new link to a lower file that has two (see {@link #newLinkToALowerFileWithLinksIsRefused}). */
    static List<Fixture.Layer> layers() throws Exception {
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
                .file("single", "one link").dir("tmp", 01777).fifo("run.fifo").bytes();
        // no entry for etc or home/user: the kernel copies them up, their times must stay the lower layer's
        byte[] l2 = Tar.build().file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
                .whiteout("etc/motd").whiteout("old").dir("var/cache").opaque("var/cache").file("var/cache/new", "n")
                .hardlink("single-link", "single").symlink("bin/cat", "/bin/busybox").dir("tochange")
                .file("tochange/now-a-dir", "d").file("home/user/.history", "ls\n").bytes();
        byte[] l3 = Tar.build().entry("bin/ping", TarConstants.LF_NORMAL, 0755, "ping".getBytes(),
                e -> e.addPaxHeader("SCHILY.xattr.security.capability", new String(cap, StandardCharsets.ISO_8859_1)))
                .symlink("todir-gone", "tmp").file("etc/added", "added\n").dir("d").file("d/z", "z").whiteout("d")
                .dir("", 0711).bytes();
        l3 = RawPax.rewriteXattr(l3, "security.capability", cap);
        byte[] l4 = Tar.build().whiteout("d").dir("d").file("d/y", "y").whiteout("etc/tagged").bytes();
        return List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2), Fixture.Layer.plain(l3), Fixture.Layer.zstd(l4));
    }

    @Test
    void anOverlayOfTheSnapshotsShowsWhatAFullUnpackWrites() throws Exception {
        Fixture f = new Fixture(tmp);
        StoredImage img = f.image("snap", layers(), null);
        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());
        Snapshots snaps = Snapshots.of(f.store);
        List<Path> lowers = snaps.prepare(f.store, img, UnpackOptions.defaults());
        assertEquals(4, lowers.size());
        Path merged = mount(lowers, "m");
        assertEquals(tree(f.target), tree(merged));

        // the second time nothing is unpacked: every snapshot is there
        assertEquals(lowers, snaps.existing(img));
        // whiteouts as overlay keeps them: 0/0 character devices
        Path second = lowers.get(1);
        FileCalls.Stat motd = FileCalls.system().lstatat(FileCalls.AT_FDCWD, second.resolve("etc/motd").toString());
        assertEquals(FileCalls.S_IFCHR, motd.type());
        assertEquals(0L, (long) Files.getAttribute(second.resolve("etc/motd"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        // a directory the layer made again after removing the lower one is opaque
        assertEquals("y", new String(FileCalls.system().lgetxattr(lowers.get(3).resolve("d").toString(), "trusted.overlay.opaque")));
        assertFalse(Files.exists(snaps.area().resolve(".tmp")) && Files.list(snaps.area().resolve(".tmp")).findAny().isPresent(),
                "scratch left behind");
    }

    @Test
    void namesThatAreNotUtf8ShowAsAFullUnpackWritesThem() throws Exception {
        Fixture f = new Fixture(tmp);
        String raw = "raw-\u00ff\u00fe"; // the bytes ff fe
        byte[] l1 = Tar.bytewise().dir("", 0755).dir(raw).file(raw + "/a-\u0080", "a").dir(raw + "/sub-\u00e9").file(raw + "/sub-\u00e9/x", "x")
                .file("gone-\u00ff", "g").dir("opq-\u00fe").file("opq-\u00fe/old", "o").symlink("link-\u00fe", raw + "/a-\u0080")
                .file("caf\u00e9", "latin-1").bytes();
        // no entry for raw or its sub-directory: the kernel copies them up, their times must stay layer 1's
        byte[] l2 = Tar.bytewise().mtime(java.time.Instant.parse("2025-05-05T05:05:05Z")).file(raw + "/sub-\u00e9/new-\u00ff", "n")
                .whiteout("gone-\u00ff").opaque("opq-\u00fe").file("opq-\u00fe/new", "n").hardlink("hard-\u00e9", "caf\u00e9")
                .whiteout(raw + "/a-\u0080").bytes();
        StoredImage img = f.image("bytes", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2)), null);
        Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults());
        List<Path> lowers = Snapshots.of(f.store).prepare(f.store, img, UnpackOptions.defaults());
        Path merged = mount(lowers, "m");
        Map<String, String> full = tree(f.target);
        assertEquals(full, tree(merged));
        assertTrue(full.containsKey(raw + "/sub-\u00e9/new-\u00ff") && !full.containsKey("gone-\u00ff") && full.containsKey("opq-\u00fe/new")
                && !full.containsKey("opq-\u00fe/old") && !full.containsKey(raw + "/a-\u0080"), full.keySet().toString());
        // the whiteout in overlay's form, under its own bytes
        FileCalls.Stat gone = FileCalls.rawNames().lstatat(FileCalls.AT_FDCWD, Fixture.rawName(lowers.get(1)) + "/gone-\u00ff");
        assertEquals(FileCalls.S_IFCHR, gone.type());
    }

    @Test
    void writesStayInTheirOwnUpperDirectory() throws Exception {
        Fixture f = new Fixture(tmp);
        StoredImage img = f.image("snap", layers(), null);
        List<Path> lowers = Snapshots.of(f.store).prepare(f.store, img, UnpackOptions.defaults());
        Path a = mount(lowers, "a");
        Path b = mount(lowers, "b");
        Files.writeString(a.resolve("etc/passwd"), "changed in a\n");
        Files.writeString(a.resolve("new-in-a"), "a");
        Files.delete(a.resolve("etc/added"));
        assertEquals("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n", Files.readString(b.resolve("etc/passwd")));
        assertFalse(Files.exists(b.resolve("new-in-a")));
        assertTrue(Files.exists(b.resolve("etc/added")));
        for (Path l : lowers) {
            assertFalse(Files.exists(l.resolve("new-in-a")));
            if (Files.exists(l.resolve("etc/passwd"))) assertFalse(Files.readString(l.resolve("etc/passwd")).contains("changed"));
        }
        assertEquals("changed in a\n", Files.readString(tmp.resolve("a-upper/etc/passwd")));
    }

    @Test
    void newLinkToALowerFileWithLinksIsRefused() throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] l1 = Tar.build().dir("bin").file("bin/busybox", "bb".getBytes(), 0755).hardlink("bin/sh", "bin/busybox").bytes();
        byte[] l2 = Tar.build().hardlink("bin/busybox-link", "bin/busybox").bytes();
        StoredImage img = f.image("links", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2)), null);
        Snapshots snaps = Snapshots.of(f.store);
        Snapshots.NotLayerable e = assertThrows(Snapshots.NotLayerable.class, () -> snaps.prepare(f.store, img, UnpackOptions.defaults()));
        assertTrue(e.getMessage().contains("bin/busybox-link"), e.getMessage());
        // remembered: the next bundle goes straight to a full unpack
        assertThrows(Snapshots.NotLayerable.class, () -> snaps.prepare(f.store, img, UnpackOptions.defaults()));
        List<Digest> chains = Snapshots.chainIds(img.config().diffIds());
        assertTrue(Files.isDirectory(snaps.dir(chains.get(0))));
        assertFalse(Files.exists(snaps.dir(chains.get(1))));
        assertEquals(List.of(), Mounts.under(tmp));
    }

    @Test
    void aWrongDiffIdLeavesNoSnapshot() throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] l1 = Tar.build().file("a", "a").bytes();
        byte[] l2 = Tar.build().file("b", "b").bytes();
        StoredImage img = f.image("bad", List.of(Fixture.Layer.gzip(l1), Fixture.Layer.gzip(l2)),
                List.of(Digest.sha256(l1), Digest.sha256("not it".getBytes())));
        Snapshots snaps = Snapshots.of(f.store);
        UnpackException e = assertThrows(UnpackException.class, () -> snaps.prepare(f.store, img, UnpackOptions.defaults()));
        assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
        List<Digest> chains = Snapshots.chainIds(img.config().diffIds());
        assertFalse(Files.exists(snaps.dir(chains.get(1))));
        try (Stream<Path> s = Files.list(snaps.area().resolve(".tmp"))) {
            assertEquals(0, s.count());
        }
        assertEquals(List.of(), Mounts.under(tmp));
    }

    @Test
    void gcRemovesSnapshotsNoImageNeedsUnlessMounted() throws Exception {
        Fixture f = new Fixture(tmp);
        StoredImage kept = f.image("kept", List.of(Fixture.Layer.gzip(Tar.build().file("k", "k").bytes())), null);
        StoredImage mounted = f.image("mounted", List.of(Fixture.Layer.gzip(Tar.build().file("m", "m").bytes())), null);
        StoredImage gone = f.image("gone", List.of(Fixture.Layer.gzip(Tar.build().file("g", "g").bytes())), null);
        Snapshots snaps = Snapshots.of(f.store);
        List<Path> k = snaps.prepare(f.store, kept, UnpackOptions.defaults());
        List<Path> m = snaps.prepare(f.store, mounted, UnpackOptions.defaults());
        List<Path> g = snaps.prepare(f.store, gone, UnpackOptions.defaults());
        mount(m, "in-use");
        f.store.untag("mounted");
        f.store.untag("gone");
        Snapshots.GcResult r = f.store.exclusive(() -> snaps.gc(f.store));
        assertEquals(List.of(Snapshots.chainIds(gone.config().diffIds()).getFirst()), r.removed());
        assertTrue(Files.isDirectory(k.getFirst()));
        assertTrue(Files.isDirectory(m.getFirst()));
        assertFalse(Files.exists(g.getFirst()));
    }

    /** Mounts the snapshots with a fresh upper directory at tmp/NAME; the test's @AfterEach unmounts it. */
    private Path mount(List<Path> lowers, String name) throws Exception {
        Path upper = Files.createDirectory(tmp.resolve(name + "-upper"));
        Path work = Files.createDirectory(tmp.resolve(name + "-work"));
        Path target = Files.createDirectory(tmp.resolve(name));
        Snapshots.initUpper(lowers.getLast(), upper);
        Snapshots.mountOverlay(lowers, upper, work, target);
        return target;
    }

    /**
     * UmociComparisonTest's description of every entry (type, mode, owner, size, link, nlink, xattrs,
     * content, mtime), the root's mtime too. Directories' link counts are left out: overlay reports 1
     * for a directory merged from several layers.
     */
    static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : UmociComparisonTest.snapshot(root).entrySet()) {
            String v = e.getValue();
            if (v.startsWith("d ")) v = v.replaceAll(" nlink=\\d+", "");
            out.put(e.getKey(), v);
        }
        out.put(". mtime", Files.getLastModifiedTime(root, LinkOption.NOFOLLOW_LINKS).toString());
        return out;
    }
}
