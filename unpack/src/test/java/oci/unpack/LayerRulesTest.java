package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import oci.image.MediaType;
import oci.linux.FileCalls;
import oci.testdata.Tar;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One small image per rule of image-spec layer.md, each checked against the tree it must give. */
class LayerRulesTest {
    @TempDir
    Path tmp;

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private static Object attr(Path p, String a) throws Exception {
        return Files.getAttribute(p, a, NOFOLLOW);
    }

    // --- media types ---

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {MediaType.OCI_LAYER, MediaType.OCI_LAYER_GZIP, MediaType.OCI_LAYER_ZSTD, MediaType.OCI_LAYER_ND,
            MediaType.OCI_LAYER_ND_GZIP, MediaType.OCI_LAYER_ND_ZSTD, MediaType.DOCKER_LAYER, MediaType.DOCKER_LAYER_GZIP,
            MediaType.DOCKER_LAYER_FOREIGN_GZIP})
    void everyLayerMediaTypeUnpacks(String mediaType) throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] tar = Tar.build().dir("etc").file("etc/os-release", "ID=test\n").bytes();
        Fixture.Layer l = mediaType.endsWith("zstd") ? Fixture.Layer.zstd(tar)
                : mediaType.contains("gzip") ? Fixture.Layer.gzip(tar) : Fixture.Layer.plain(tar);
        l = new Fixture.Layer(mediaType, l.blob(), tar);
        Unpacker.unpack(f.store, f.image("t.example/mt:1", List.of(l), null), f.target, UnpackOptions.defaults());
        assertEquals("ID=test\n", Files.readString(f.target.resolve("etc/os-release")));
    }

    @Test
    void unknownLayerMediaTypeIsRefused() throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] tar = Tar.build().file("a", "a").bytes();
        // the store already refuses such a manifest; unpack refuses it too if handed one (checked before any write)
        var e = org.junit.jupiter.api.Assertions.assertThrows(oci.image.ImageException.class,
                () -> f.image("t.example/mt:1", List.of(new Fixture.Layer("application/x-nonsense", tar, tar)), null));
        assertTrue(e.getMessage().contains("unknown media type"), e.getMessage());
        assertFalse(Files.exists(f.target));
    }

    // --- whiteouts ---

    @Test
    void whiteoutRemovesLowerFileAndDirectory() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("a", "a").file("b", "b").dir("d").file("d/x", "x").dir("gone").file("gone/deep", "1").bytes(),
                Tar.build().whiteout("a").whiteout("d/x").whiteout("gone").bytes());
        assertEquals(Map.of("b", "f 644 0:0 1", "d", "d 755 0:0"), Fixture.describe(f.target));
    }

    @Test
    void whiteoutNeverHidesEntriesOfItsOwnLayer() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("a", "lower").dir("d").file("d/old", "o").bytes(),
                // the new a comes before its whiteout; the new d/new before d's whiteout
                Tar.build().file("a", "upper").whiteout("a").dir("d").file("d/new", "n").whiteout("d").bytes());
        assertEquals("upper", Files.readString(f.target.resolve("a")));
        assertTrue(Files.exists(f.target.resolve("d/new")));
        assertFalse(Files.exists(f.target.resolve("d/old")), "d's lower content is hidden by .wh.d");
    }

    @Test
    void whiteoutKeepsImplicitParentsOfItsOwnLayer() throws Exception {
        Fixture f = new Fixture(tmp);
        // the upper layer names x/y/new but not x/ or x/y/: they are still the layer's own directories
        f.unpack(Tar.build().dir("x").dir("x/y").file("x/y/old", "o").file("x/other", "o").bytes(),
                Tar.build().file("x/y/new", "n").whiteout("x").bytes());
        assertEquals(Map.of("x", "d 755 0:0", "x/y", "d 755 0:0", "x/y/new", "f 644 0:0 1"), Fixture.describe(f.target));
    }

    @Test
    void opaqueDirectoryHidesLowerContentWhereverTheMarkerStands() throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] lower = Tar.build().dir("d").file("d/x", "x").dir("d/sub").file("d/sub/old", "o").dir("e").file("e/y", "y").bytes();
        // marker after the layer's own entries of d, and for e before them
        byte[] upper = Tar.build().dir("d").file("d/z", "z").dir("d/sub").file("d/sub/new", "n").opaque("d")
                .opaque("e").file("e/w", "w").bytes();
        f.unpack(lower, upper);
        assertEquals(Map.of("d", "d 755 0:0", "d/z", "f 644 0:0 1", "d/sub", "d 755 0:0", "d/sub/new", "f 644 0:0 1",
                "e", "d 755 0:0", "e/w", "f 644 0:0 1"), Fixture.describe(f.target));
    }

    @Test
    void aufsMetadataAndWhiteoutFilesNeverAppear() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("keep", "k").bytes(),
                Tar.build().dir(".wh..wh.plnk").file(".wh..wh.plnk/123.456", "x").file(".wh..wh.aufs", "").whiteout("nothing-here")
                        .opaque("newdir").bytes());
        assertEquals(Map.of("keep", "f 644 0:0 1", "newdir", "d 755 0:0"), Fixture.describe(f.target));
    }

    // --- entry types ---

    @Test
    void hardlinksWithinTheLayerAndToLowerLayersShareTheInode() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().dir("bin").file("bin/busybox", "BB".getBytes(), 0755).bytes(),
                Tar.build().hardlink("bin/sh", "bin/busybox").file("x", "x").hardlink("y", "./x").bytes());
        assertEquals(attr(f.target.resolve("bin/busybox"), "unix:ino"), attr(f.target.resolve("bin/sh"), "unix:ino"));
        assertEquals(attr(f.target.resolve("x"), "unix:ino"), attr(f.target.resolve("y"), "unix:ino"));
        assertEquals(2, attr(f.target.resolve("x"), "unix:nlink"));
    }

    @Test
    void upperFileReplacingAHardlinkedLowerFileLeavesTheOtherNameAlone() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("a", "same").hardlink("b", "a").bytes(), Tar.build().file("b", "changed").bytes());
        assertEquals("same", Files.readString(f.target.resolve("a")));
        assertEquals("changed", Files.readString(f.target.resolve("b")));
    }

    @Test
    void fifoAndLongNames() throws Exception {
        Fixture f = new Fixture(tmp);
        String longName = "d/" + "n".repeat(150) + "/" + "f".repeat(120);
        String longTarget = "/" + "t".repeat(200);
        var gnu = new java.io.ByteArrayOutputStream();
        try (TarArchiveOutputStream o = new TarArchiveOutputStream(gnu)) {
            o.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("g/" + "x".repeat(180));
            e.setSize(2);
            o.putArchiveEntry(e);
            o.write("gn".getBytes());
            o.closeArchiveEntry();
        }
        f.unpack(Tar.build().fifo("pipe").file(longName, "pax").symlink("sl", longTarget).bytes(), gnu.toByteArray());
        assertEquals("pax", Files.readString(f.target.resolve(longName)));
        assertEquals("gn", Files.readString(f.target.resolve("g/" + "x".repeat(180))));
        assertEquals(longTarget, Files.readSymbolicLink(f.target.resolve("sl")).toString());
        assertTrue(Fixture.describeOne(f.target.resolve("pipe")).startsWith("o 644"));
        assertEquals(FileCalls.S_IFIFO, (int) attr(f.target.resolve("pipe"), "unix:mode") & FileCalls.S_IFMT);
    }

    @Test
    void namesThatAreNotUtf8AreWrittenByteForByte() throws Exception {
        Fixture f = new Fixture(tmp);
        // names as bytes, one char per byte: raw-\xff\xfe, a Latin-1 café (the byte e9 alone), UTF-8 café
        String raw = "raw-\u00ff\u00fe";
        String latin1 = "caf\u00e9";
        String utf8 = "caf\u00c3\u00a9";
        String longDir = "d".repeat(120);
        byte[] l1 = Tar.bytewise().dir(raw).file(raw + "/f", "in raw").file(latin1, "latin1").file(utf8, "utf8")
                .file(longDir + "/" + latin1, "gnu long name") // a GNU 'L' entry holds the bytes
                .symlink("to-" + raw, raw + "/f").symlink("long-link", longDir + "/" + latin1) // and a GNU 'K' one
                .hardlink("hard-\u00e9", latin1)
                .file("gone-\u00ff", "x").dir("opq-\u00fe").file("opq-\u00fe/old", "o").dir("keep").file("keep/x-\u00ff", "x")
                .bytes();
        // a PAX path of raw bytes, as Go's archive/tar and GNU tar --format=posix (hdrcharset=BINARY) write one
        byte[] pax = RawPax.rewrite(Tar.build().entry("pax-name", TarConstants.LF_NORMAL, 0644, "pax".getBytes(),
                e -> e.addPaxHeader("comment", "x")).bytes(), "path", "keep/pax-\u00ff\u0080".getBytes(StandardCharsets.ISO_8859_1));
        byte[] l3 = Tar.bytewise().whiteout("gone-\u00ff").whiteout("keep/x-\u00ff").opaque("opq-\u00fe").file("opq-\u00fe/new", "n")
                .bytes();
        f.unpack(l1, pax, l3);

        FileCalls rawFs = FileCalls.rawNames();
        int root = FileCalls.system().openat(FileCalls.AT_FDCWD, f.target.toString(), FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0);
        try {
            assertEquals(java.util.stream.Stream.of("hard-\u00e9", "keep", "long-link", "opq-\u00fe", "to-" + raw, latin1, utf8, longDir, raw)
                    .sorted().toList(), rawFs.readdir(root).stream().sorted().toList());
            assertEquals("in raw", readRaw(root, raw + "/f"));
            assertEquals("latin1", readRaw(root, latin1));
            assertEquals("utf8", readRaw(root, utf8));
            assertEquals("gnu long name", readRaw(root, longDir + "/" + latin1));
            assertEquals(raw + "/f", rawFs.readlinkat(root, "to-" + raw));
            assertEquals(longDir + "/" + latin1, rawFs.readlinkat(root, "long-link"));
            assertEquals(2, rawFs.lstatat(root, "hard-\u00e9").nlink());
            assertEquals(List.of("pax-\u00ff\u0080"), listRaw(root, "keep"));
            assertEquals("pax", readRaw(root, "keep/pax-\u00ff\u0080"));
            assertEquals(List.of("new"), listRaw(root, "opq-\u00fe"));
        } finally {
            FileCalls.system().close(root);
        }
        // the bytes as another program sees them
        Process cat = new ProcessBuilder("sh", "-c", "cat \"$1\"/raw-\"$(printf '\\377\\376')\"/f", "sh", f.target.toString()).start();
        assertEquals("in raw", new String(cat.getInputStream().readAllBytes()));
        assertEquals(0, cat.waitFor());
        // a message names such an entry readably
        Fixture again = new Fixture(tmp.resolve("again"));
        UnpackException e = org.junit.jupiter.api.Assertions.assertThrows(UnpackException.class,
                () -> again.unpack(Tar.bytewise().file("x", "x").hardlink("bad-\u00ff", "missing-\u00fe").bytes()));
        assertTrue(e.getMessage().contains("entry \"bad-\\xff\": hardlink to \"missing-\\xfe\""), e.getMessage());
    }

    /** The content of the file at raw name {@code name} below directory fd {@code root}. */
    static String readRaw(int root, String name) throws Exception {
        int fd = FileCalls.rawNames().openat2(root, name, FileCalls.O_RDONLY | FileCalls.O_CLOEXEC, 0, FileCalls.RESOLVE_IN_ROOT);
        try {
            return Files.readString(Path.of("/proc/self/fd/" + fd));
        } finally {
            FileCalls.system().close(fd);
        }
    }

    /** The raw names in directory {@code name} below {@code root}, sorted. */
    static List<String> listRaw(int root, String name) throws Exception {
        int fd = FileCalls.rawNames().openat2(root, name, FileCalls.O_PATH | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC, 0,
                FileCalls.RESOLVE_IN_ROOT);
        try {
            return FileCalls.rawNames().readdir(fd).stream().sorted().toList();
        } finally {
            FileCalls.system().close(fd);
        }
    }

    @Test
    void utf8NamesCutByTheirHeaderFieldAreWhole() throws Exception {
        Fixture f = new Fixture(tmp);
        // UTF-8 long names, PAX or GNU, whose 100-byte header field cuts a character in two, are fine
        String longUtf8 = "\u00e9".repeat(120);
        var gnuUtf8 = new java.io.ByteArrayOutputStream();
        try (TarArchiveOutputStream o = new TarArchiveOutputStream(gnuUtf8, "UTF-8")) {
            o.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            var le = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("g" + longUtf8);
            le.setSize(0);
            o.putArchiveEntry(le);
            o.closeArchiveEntry();
        }
        f.unpack(Tar.build().file("p" + longUtf8, "pax").file("caf\u00e9", "ok").bytes(), gnuUtf8.toByteArray());
        assertEquals("pax", Files.readString(f.target.resolve("p" + longUtf8)));
        assertTrue(Files.exists(f.target.resolve("g" + longUtf8)));
        assertEquals("ok", Files.readString(f.target.resolve("caf\u00e9")));
    }

    @Test
    void devicesAreCreatedAsRoot() throws Exception {
        assumeTrue(Fixture.isRoot(), "creating device nodes needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        Rootfs r = f.unpack(Tar.build().dir("dev").charDevice("dev/null", 1, 3).blockDevice("dev/loop9", 7, 9).bytes());
        assertEquals(0, r.devicesSkipped());
        int mode = (int) attr(f.target.resolve("dev/null"), "unix:mode");
        assertEquals(FileCalls.S_IFCHR, mode & FileCalls.S_IFMT);
        assertEquals(0666, mode & 07777);
        assertEquals(FileCalls.makedev(1, 3), (long) attr(f.target.resolve("dev/null"), "unix:rdev"));
        assertEquals(FileCalls.S_IFBLK, (int) attr(f.target.resolve("dev/loop9"), "unix:mode") & FileCalls.S_IFMT);
    }

    @ParameterizedTest(name = "GNU tar --format={0}")
    @ValueSource(strings = {"gnu", "posix"})
    void sparseFilesFromGnuTar(String format) throws Exception {
        Fixture f = new Fixture(tmp);
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        try (var ch = java.nio.channels.FileChannel.open(src.resolve("sparse"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("head".getBytes()), 0);
            ch.write(java.nio.ByteBuffer.wrap("middle".getBytes()), 8 << 20);
            ch.write(java.nio.ByteBuffer.wrap("tail".getBytes()), 20 << 20);
        }
        Path tarFile = tmp.resolve("s.tar");
        Process p = new ProcessBuilder("tar", "--sparse", "--format=" + format, "-cf", tarFile.toString(), "-C", src.toString(), "sparse")
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        f.unpack(Files.readAllBytes(tarFile));
        Path out = f.target.resolve("sparse");
        assertEquals(Files.size(src.resolve("sparse")), Files.size(out));
        assertEquals(-1, Files.mismatch(src.resolve("sparse"), out));
        // the holes stay holes: a few KiB allocated for 20 MiB
        Process st = new ProcessBuilder("stat", "-c", "%b", out.toString()).start();
        long blocks = Long.parseLong(new String(st.getInputStream().readAllBytes()).trim());
        assertEquals(0, st.waitFor());
        assertTrue(blocks * 512 < (1 << 20), "allocated " + blocks + " blocks");
    }

    @Test
    void typeChangesEndAsTheUpperLayerSays() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("f2d", "f").dir("d2f").file("d2f/child", "c").dir("d2l").file("d2l/c", "c").symlink("l2d", "/etc")
                        .file("f2l", "x").bytes(),
                Tar.build().dir("f2d").file("f2d/in", "i").file("d2f", "now a file").symlink("d2l", "f2d").dir("l2d")
                        .symlink("f2l", "d2f").bytes());
        assertEquals(Map.of("f2d", "d 755 0:0", "f2d/in", "f 644 0:0 1", "d2f", "f 644 0:0 10", "d2l", "l 777 0:0 -> f2d",
                "l2d", "d 755 0:0", "f2l", "l 777 0:0 -> d2f"), Fixture.describe(f.target));
    }

    @Test
    void directoryOverExistingDirectoryMergesAndTakesTheUpperMetadata() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().dir("d", 0755).file("d/a", "a").bytes(), Tar.build().dir("d", 0710).file("d/b", "b").bytes());
        assertEquals(Map.of("d", "d 710 0:0", "d/a", "f 644 0:0 1", "d/b", "f 644 0:0 1"), Fixture.describe(f.target));
    }

    @Test
    void missingParentDirectoriesAreCreated() throws Exception {
        Fixture f = new Fixture(tmp);
        f.unpack(Tar.build().file("a/b/c/file", "x").bytes());
        assertEquals("x", Files.readString(f.target.resolve("a/b/c/file")));
    }

    // --- metadata ---

    @Test
    void modesAndNanosecondMtimesIncludingDirectoriesAfterTheirChildren() throws Exception {
        Fixture f = new Fixture(tmp);
        Instant dirTime = Instant.parse("2001-02-03T04:05:06.123456789Z");
        Instant fileTime = Instant.parse("2011-12-13T14:15:16.9876543Z"); // what Commons Compress can write
        // Commons Compress writes 100 ns; the layer gets Go's nine digits through a raw PAX record
        byte[] dirOnly = RawPax.rewrite(Tar.build().mtime(dirTime).dir("d", 01777).bytes(), "mtime",
                "981173106.123456789".getBytes(StandardCharsets.US_ASCII));
        byte[] rest = Tar.build().mtime(fileTime).file("d/f", "x".getBytes(), 0640).symlink("d/l", "f").bytes();
        byte[] lower = new byte[dirOnly.length - 1024 + rest.length];
        System.arraycopy(dirOnly, 0, lower, 0, dirOnly.length - 1024); // without its end-of-archive blocks
        System.arraycopy(rest, 0, lower, dirOnly.length - 1024, rest.length);
        f.unpack(lower, Tar.build().mtime(fileTime).file("d/later", "y").bytes());
        assertEquals(FileTime.from(dirTime), Files.getLastModifiedTime(f.target.resolve("d"), NOFOLLOW));
        assertEquals(FileTime.from(fileTime), Files.getLastModifiedTime(f.target.resolve("d/f"), NOFOLLOW));
        assertEquals(FileTime.from(fileTime), Files.getLastModifiedTime(f.target.resolve("d/l"), NOFOLLOW));
        assertEquals(01777, (int) attr(f.target.resolve("d"), "unix:mode") & 07777);
        assertEquals(0640, (int) attr(f.target.resolve("d/f"), "unix:mode") & 07777);
    }

    @Test
    void ownersAndSetuidBitsAppliedAfterOwnership() throws Exception {
        assumeTrue(Fixture.isRoot(), "chown to other users needs root (CI runs as root)");
        Fixture f = new Fixture(tmp);
        byte[] tar = Tar.build().dir("d", 02775).entry("d/su", TarConstants.LF_NORMAL, 04755, "x".getBytes(), e -> {
            e.setUserId(1234);
            e.setGroupId(5678);
        }).entry("d/sg", TarConstants.LF_NORMAL, 02711, "y".getBytes(), e -> e.setGroupId(42))
                .entry("lnk", TarConstants.LF_SYMLINK, 0777, null, e -> {
                    e.setLinkName("d/su");
                    e.setUserId(7);
                    e.setGroupId(8);
                }).bytes();
        f.unpack(tar);
        assertEquals("f 4755 1234:5678 1", Fixture.describeOne(f.target.resolve("d/su")));
        assertEquals("f 2711 0:42 1", Fixture.describeOne(f.target.resolve("d/sg")));
        assertEquals("l 777 7:8 -> d/su", Fixture.describeOne(f.target.resolve("lnk")));
        assertEquals("d 2775 0:0", Fixture.describeOne(f.target.resolve("d")));
    }

    @Test
    void userXattrsArePreservedBytForByte() throws Exception {
        Fixture f = new Fixture(tmp);
        byte[] tar = Tar.build().file("x", "x".getBytes(), 0644, 0, 0, Map.of("user.note", "hello", "user.utf", "é€"))
                .dir("d").bytes();
        f.unpack(tar);
        FileCalls fs = FileCalls.system();
        assertEquals("hello", new String(fs.lgetxattr(f.target.resolve("x").toString(), "user.note"), StandardCharsets.UTF_8));
        assertEquals("é€", new String(fs.lgetxattr(f.target.resolve("x").toString(), "user.utf"), StandardCharsets.UTF_8));
    }

    @Test
    void binarySecurityCapabilitySurvives() throws Exception {
        assumeTrue(Fixture.isRoot(), "security.capability needs CAP_SETFCAP (CI runs as root)");
        Fixture f = new Fixture(tmp);
        // VFS_CAP_REVISION_2, effective, permitted = cap_net_raw (13) | cap_setuid (7): bytes >= 0x80 included
        byte[] cap = {0x01, 0x00, 0x00, 0x02, (byte) 0x80, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] tar = Tar.build().entry("bin/ping", TarConstants.LF_NORMAL, 0755, "P".getBytes(),
                e -> e.addPaxHeader("SCHILY.xattr.security.capability", new String(cap, StandardCharsets.ISO_8859_1))).bytes();
        // Commons Compress writes PAX values as UTF-8 of the String: rebuild the record with the raw bytes.
        tar = RawPax.rewriteXattr(tar, "security.capability", cap);
        f.unpack(tar);
        assertArrayEquals(cap, FileCalls.system().lgetxattr(f.target.resolve("bin/ping").toString(), "security.capability"));
    }

    // --- tar streams (docker export) ---

    @Test
    void unpackTarDetectsCompressionByMagic() throws Exception {
        byte[] tar = Tar.build().dir("etc").file("etc/x", "1").bytes();
        for (byte[] stream : List.of(tar, Tar.gzip(tar), Fixture.Layer.zstd(tar).blob())) {
            Path t = tmp.resolve("t" + stream.length);
            Rootfs r = Unpacker.unpackTar(new ByteArrayInputStream(stream), t, UnpackOptions.defaults());
            assertEquals("1", Files.readString(t.resolve("etc/x")));
            assertEquals(oci.image.Digest.sha256(tar), r.diffIds().getFirst());
        }
    }

    @Test
    void rootlessValueIsUmocisProtobuf() {
        var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("x");
        e.setUserId(1000);
        e.setGroupId(0);
        // field 1 varint 1000 = e8 07; field 2 varint NoopID (2^32-1) = ff ff ff ff 0f
        assertArrayEquals(new byte[] {0x08, (byte) 0xe8, 0x07, 0x10, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
                Applier.rootlessValue(e));
        assertNull(null);
        assertNotNull(e);
    }
}
