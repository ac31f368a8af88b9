package oci.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import oci.image.Digest;
import oci.testdata.Tar;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every escape route of SECURITY-CASES.md "Unpacking layers": nothing outside the target (the
 * sentinel directory beside it, /tmp) may appear, change or go.
 */
class HostileLayerTest {
    @TempDir
    Path tmp;

    Fixture f;
    Map<String, String> before;
    String sentinel;

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(tmp);
        before = f.sentinelState();
        sentinel = f.sentinel.toString(); // absolute host path of a directory beside the target
    }

    private void assertSentinelUntouched() throws Exception {
        assertEquals(before, f.sentinelState(), "the directory beside the target changed");
        assertEquals("untouched\n", Files.readString(f.sentinel.resolve("keep")));
    }

    /** Nothing but the target and the sentinel beside it: no temporary tree left behind. */
    private void assertNoLeftovers(boolean targetExpected) throws Exception {
        try (var s = Files.list(f.target.getParent())) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(targetExpected ? List.of("rootfs", "sentinel") : List.of("sentinel"), names);
        }
    }

    @Test
    void dotDotAndAbsoluteNamesStayInside() throws Exception {
        f.unpack(Tar.build().file("../sentinel/keep", "owned").file("../../../../../../" + sentinel.substring(1) + "/x", "x")
                .file(sentinel + "/y", "y").file("/etc/abs", "a").bytes());
        assertSentinelUntouched();
        assertEquals("owned", Files.readString(f.target.resolve("sentinel/keep")));
        assertEquals("a", Files.readString(f.target.resolve("etc/abs")));
        assertTrue(Files.exists(f.target.resolve(sentinel.substring(1) + "/x")));
    }

    @Test
    void symlinkToRootThenWriteThroughItInALaterLayer() throws Exception {
        f.unpack(Tar.build().symlink("esc", "/").symlink("esc2", "../../../..").dir(sentinel.substring(1)).bytes(),
                Tar.build().file("esc" + sentinel + "/keep", "1").file("esc2" + sentinel + "/keep", "2").file("esc/tmp/x", "x")
                        .bytes());
        assertSentinelUntouched();
        // resolved as if the target were /: esc -> / is the rootfs itself
        assertEquals("2", Files.readString(f.target.resolve(sentinel.substring(1) + "/keep")));
        assertEquals("x", Files.readString(f.target.resolve("tmp/x")));
    }

    @Test
    void symlinkToAHostDirectoryThenWriteThroughItIsResolvedInside() throws Exception {
        // abs -> <sentinel's host path>: inside the rootfs that path is created, as Docker and umoci do
        f.unpack(Tar.build().symlink("abs", sentinel).file("abs/keep", "same layer").symlink("rel", "../../../../x/y")
                        .bytes(),
                Tar.build().file("abs/new", "later layer").file("rel/z", "z").bytes());
        assertSentinelUntouched();
        assertEquals("same layer", Files.readString(f.target.resolve(sentinel.substring(1) + "/keep")));
        assertEquals("later layer", Files.readString(f.target.resolve(sentinel.substring(1) + "/new")));
        assertEquals("z", Files.readString(f.target.resolve("x/y/z")));
        assertTrue(Files.isSymbolicLink(f.target.resolve("abs")));
    }

    @Test
    void danglingSymlinkChainsResolveRelativeToWhereTheyReallyAre() throws Exception {
        // a -> d1/d2 (exists); a/l -> ../z: really d1/z, not (lexically) z; loop -> loop never ends well
        f.unpack(Tar.build().dir("d1").dir("d1/d2").symlink("a", "d1/d2").symlink("d1/d2/l", "../z").symlink("loop", "loop")
                .file("a/l/file", "f").bytes());
        assertEquals("f", Files.readString(f.target.resolve("d1/z/file")));
        UnpackException e = assertThrows(UnpackException.class, () -> f.unpack(UnpackOptions.defaults().withForce(true),
                Tar.build().symlink("loop", "loop").file("loop/x", "x").bytes()));
        assertTrue(e.getMessage().contains("ELOOP") || e.getMessage().contains("too many levels of symlinks"), e.getMessage());
        assertSentinelUntouched();
    }

    @Test
    void whiteoutThroughASymlinkedParentNeverRemovesHostFiles() throws Exception {
        f.unpack(Tar.build().symlink("d", sentinel).symlink("up", "..").symlink("dangling", "/nowhere").bytes(),
                Tar.build().whiteout("d/keep").whiteout("up/sentinel").whiteout("dangling/x").file("z", "z").bytes());
        assertSentinelUntouched();
    }

    @Test
    void hardlinkTargetsOutsideAreResolvedInsideOrRefused() throws Exception {
        // ../../sentinel/keep is rootfs/sentinel/keep, which does not exist: refused, nothing published
        UnpackException e = assertThrows(UnpackException.class,
                () -> f.unpack(Tar.build().hardlink("h", "../../sentinel/keep").bytes()));
        assertTrue(e.getMessage().contains("entry \"h\"") && e.getMessage().contains("unpack layer sha256:"), e.getMessage());
        assertSentinelUntouched();
        assertNoLeftovers(false);
        // through a symlink to the host directory: resolved inside the rootfs, also missing there
        assertThrows(UnpackException.class, () -> f.unpack(Tar.build().symlink("s", sentinel).hardlink("h2", "s/keep").bytes()));
        assertThrows(UnpackException.class, () -> f.unpack(Tar.build().hardlink("h3", sentinel + "/keep").bytes()));
        assertSentinelUntouched();
        assertEquals(1L, (long) (int) Files.getAttribute(f.sentinel.resolve("keep"), "unix:nlink"));
    }

    @Test
    void metadataOfADirectoryEntryNeverFollowsASymlinkOfTheSameName() throws Exception {
        Path victim = f.sentinel.resolve("keep");
        Object modeBefore = Files.getAttribute(victim, "unix:mode");
        Object timeBefore = Files.getLastModifiedTime(victim);
        f.unpack(Tar.build().symlink("x", victim.toString()).symlink("y", victim.toString()).bytes(),
                Tar.build().dir("x", 07777).file("y", "new".getBytes(), 04777).bytes());
        assertEquals(modeBefore, Files.getAttribute(victim, "unix:mode"));
        assertEquals(timeBefore, Files.getLastModifiedTime(victim));
        assertSentinelUntouched();
        assertEquals("d 7777 0:0", Fixture.describeOne(f.target.resolve("x")).replaceAll(" \\d+:\\d+", " 0:0"));
    }

    @Test
    void directoryReplacedBySymlinkThenWrittenInto() throws Exception {
        f.unpack(Tar.build().dir("a").file("a/old", "o").symlink("a", sentinel).dir(sentinel.substring(1)).file("a/x", "x").bytes());
        assertSentinelUntouched();
        assertTrue(Files.isSymbolicLink(f.target.resolve("a")));
        assertEquals("x", Files.readString(f.target.resolve(sentinel.substring(1) + "/x")));
    }

    @Test
    void decompressionBombStopsAtTheLimit() throws Exception {
        // 64 MiB of zeros in one file compresses to ~64 KiB; the limit is 8 MiB
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        byte[] tar;
        try (var tb = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(new GZIPOutputStream(gz))) {
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("zeros");
            e.setSize(64L << 20);
            tb.putArchiveEntry(e);
            byte[] z = new byte[1 << 20];
            for (int i = 0; i < 64; i++) tb.write(z);
            tb.closeArchiveEntry();
        }
        byte[] blob = gz.toByteArray();
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(blob))) {
            tar = in.readAllBytes();
        }
        var img = f.image("t.example/bomb:1", List.of(new Fixture.Layer(oci.image.MediaType.OCI_LAYER_GZIP, blob, tar)), null);
        UnpackException e = assertThrows(UnpackException.class,
                () -> Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults().withMaxBytes(8L << 20)));
        assertTrue(e.getMessage().contains("limit of 8388608 bytes"), e.getMessage());
        assertNoLeftovers(false);
    }

    @Test
    void hugeSparseFileCountsAtItsApparentSize() throws Exception {
        // GNU tar stores a 7 GiB file of holes in a few blocks; written out, it must still count 7 GiB
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (var ch = java.nio.channels.FileChannel.open(src.resolve("huge"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("end".getBytes()), (7L << 30) - 3);
        }
        Path tarFile = tmp.resolve("huge.tar");
        Process p = new ProcessBuilder("tar", "--sparse", "-cf", tarFile.toString(), "-C", src.toString(), "huge").inheritIO().start();
        assertEquals(0, p.waitFor());
        assertTrue(Files.size(tarFile) < 1 << 20);
        UnpackException e = assertThrows(UnpackException.class,
                () -> f.unpack(UnpackOptions.defaults().withMaxBytes(256L << 20), Files.readAllBytes(tarFile)));
        assertTrue(e.getMessage().contains("entry \"huge\"") && e.getMessage().contains("limit of 268435456 bytes"), e.getMessage());
        assertNoLeftovers(false);
    }

    @Test
    void hugePaxHeaderIsRefusedBeforeItIsRead() throws Exception {
        // A PAX header claiming 1 GiB (only its first block present): refused at the header, not read into memory
        byte[] tar = Tar.build().file("x", "x").bytes();
        byte[] hdr = new byte[512];
        byte[] name = "PaxHeaders/x".getBytes();
        System.arraycopy(name, 0, hdr, 0, name.length);
        System.arraycopy("0000644\0".getBytes(), 0, hdr, 100, 8);
        System.arraycopy(String.format("%011o", 1L << 30).getBytes(), 0, hdr, 124, 11);
        hdr[156] = 'x';
        System.arraycopy("ustar\u000000".getBytes(), 0, hdr, 257, 8);
        java.util.Arrays.fill(hdr, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : hdr) sum += b & 0xff;
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(), 0, hdr, 148, 8);
        byte[] hostile = new byte[hdr.length + tar.length];
        System.arraycopy(hdr, 0, hostile, 0, 512);
        System.arraycopy(tar, 0, hostile, 512, tar.length);
        UnpackException e = assertThrows(UnpackException.class, () -> f.unpack(hostile));
        assertTrue(e.getMessage().contains("PAX header of 1073741824 bytes exceeds the limit"), e.getMessage());
        assertNoLeftovers(false);
    }

    @Test
    void truncatedAndMalformedLayersFailWithoutAPartialTarget() throws Exception {
        // whole-second mtimes: no PAX headers, so "a" is one header block and 100352 bytes of data
        byte[] tar = Tar.build().mtime(java.time.Instant.parse("2024-01-01T00:00:00Z")).file("a", new byte[100_000], 0644)
                .file("b", "b").bytes();
        byte[] gz = Tar.gzip(tar);
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        var img = f.image("t.example/cut:1", List.of(new Fixture.Layer(oci.image.MediaType.OCI_LAYER_GZIP, cut, tar)), null);
        UnpackException e = assertThrows(UnpackException.class, () -> Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults()));
        assertTrue(e.getMessage().startsWith("unpack layer sha256:"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("Unexpected end"), e.getMessage());
        assertNoLeftovers(false);
        // a plain tar cut in the middle of a file's data
        byte[] half = java.util.Arrays.copyOf(tar, 50_000);
        e = assertThrows(UnpackException.class, () -> Unpacker.unpackTar(new java.io.ByteArrayInputStream(half), f.target,
                UnpackOptions.defaults()));
        assertTrue(e.getMessage().toLowerCase().contains("truncated"), e.getMessage());
        // cut at a header boundary: no end-of-archive blocks
        e = assertThrows(UnpackException.class, () -> Unpacker.unpackTar(new java.io.ByteArrayInputStream(
                java.util.Arrays.copyOf(tar, 512 + 100_352)), f.target, UnpackOptions.defaults()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        // garbage
        e = assertThrows(UnpackException.class, () -> Unpacker.unpackTar(new java.io.ByteArrayInputStream(
                "this is not a tar archive at all, not even close".repeat(30).getBytes()), f.target, UnpackOptions.defaults()));
        assertNoLeftovers(false);
    }

    @Test
    void diffIdMismatchIsRefused() throws Exception {
        byte[] tar = Tar.build().file("a", "a").bytes();
        var img = f.image("t.example/diff:1", List.of(Fixture.Layer.gzip(tar)), List.of(Digest.sha256("other".getBytes())));
        UnpackException e = assertThrows(UnpackException.class, () -> Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults()));
        assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
        assertNoLeftovers(false);
    }

    @Test
    void blobWhoseBytesDoNotMatchItsDigestIsRefused() throws Exception {
        byte[] tar = Tar.build().file("a", "a").bytes();
        var img = f.image("t.example/sub:1", List.of(Fixture.Layer.gzip(tar)), null);
        Path blob = f.store.blobPath(img.manifest().layers().getFirst().digest());
        byte[] b = Files.readAllBytes(blob);
        b[4] ^= 1; // gzip header mtime: still decompresses to the same tar, so only the blob digest can tell
        blob.toFile().setWritable(true);
        Files.write(blob, b);
        UnpackException e = assertThrows(UnpackException.class, () -> Unpacker.unpack(f.store, img, f.target, UnpackOptions.defaults()));
        assertTrue(e.getMessage().contains("blob content has digest"), e.getMessage());
        assertNoLeftovers(false);
    }

    @Test
    void existingTargetIsRefusedWithoutForceAndReplacedWithIt() throws Exception {
        Files.createDirectories(f.target);
        Files.writeString(f.target.resolve("old"), "old");
        UnpackException e = assertThrows(UnpackException.class, () -> f.unpack(Tar.build().file("new", "n").bytes()));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertTrue(Files.exists(f.target.resolve("old")));
        // a failing unpack with --force never touches the existing target
        assertThrows(UnpackException.class, () -> f.unpack(UnpackOptions.defaults().withForce(true),
                Tar.build().hardlink("x", "missing").bytes()));
        assertEquals("old", Files.readString(f.target.resolve("old")));
        f.unpack(UnpackOptions.defaults().withForce(true), Tar.build().file("new", "n").bytes());
        assertFalse(Files.exists(f.target.resolve("old")));
        assertEquals("n", Files.readString(f.target.resolve("new")));
        assertNoLeftovers(true);
    }

    @Test
    void deviceNodesAreSkippedAndCountedWhenRootless() throws Exception {
        List<UnpackEvent> events = new java.util.ArrayList<>();
        Rootfs r = f.unpack(UnpackOptions.defaults().withRootless(true).withListener(events::add),
                Tar.build().dir("dev").charDevice("dev/null", 1, 3).charDevice("dev/zero", 1, 5).blockDevice("dev/sda", 8, 0)
                        .entry("owned", TarConstants.LF_NORMAL, 0644, "x".getBytes(), e -> {
                            e.setUserId(1000);
                            e.setGroupId(0);
                        }).bytes());
        assertEquals(3, r.devicesSkipped());
        assertEquals(List.of(), Fixture.describe(f.target.resolve("dev")).keySet().stream().toList());
        assertEquals(1, events.stream().filter(e -> e instanceof UnpackEvent.Warning w && w.message().contains("skipped 3 device nodes")).count());
        // the owner that was not applied is recorded as umoci does
        byte[] v = oci.linux.FileCalls.system().lgetxattr(f.target.resolve("owned").toString(), Applier.ROOTLESS_XATTR);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {0x08, (byte) 0xe8, 0x07, 0x10, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, 0x0f}, v);
    }
}
