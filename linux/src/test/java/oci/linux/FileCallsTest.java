package oci.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each call against real files: results, errno contracts, and openat2's confinement. */
class FileCallsTest {
    @TempDir
    Path tmp;

    final FileCalls fs = FileCalls.system();

    private int open(Path dir) throws ErrnoException {
        return fs.openat(FileCalls.AT_FDCWD, dir.toString(), FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC, 0);
    }

    @Test
    void createsFilesDirectoriesLinksAndReportsErrno() throws Exception {
        int root = open(tmp);
        try {
            fs.mkdirat(root, "d", 0755);
            ErrnoException e = assertThrows(ErrnoException.class, () -> fs.mkdirat(root, "d", 0755));
            assertEquals(Errno.EEXIST, e.errno());
            assertEquals("mkdirat \"d\": EEXIST (File exists)", e.getMessage());
            int fd = fs.openat(root, "d/f", FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL, 0600);
            fs.pwriteFully(fd, "hello".getBytes(), 5, 0);
            try (Arena a = Arena.ofConfined()) {
                fs.pwriteFully(fd, a.allocateFrom("!"), 1, 5);
            }
            fs.fchmod(fd, 04750);
            fs.futimens(fd, 1, 2, 1_000_000_000L, 123_456_789);
            fs.fsetxattr(fd, "user.k", new byte[] {1, 2, (byte) 0xff});
            fs.close(fd);
            assertEquals("hello!", Files.readString(tmp.resolve("d/f")));
            assertEquals(04750, (int) Files.getAttribute(tmp.resolve("d/f"), "unix:mode") & 07777);
            assertEquals(java.time.Instant.ofEpochSecond(1_000_000_000L, 123_456_789),
                    Files.getLastModifiedTime(tmp.resolve("d/f")).toInstant());
            assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, fs.lgetxattr(tmp.resolve("d/f").toString(), "user.k"));
            assertEquals(List.of("user.k"), fs.llistxattr(tmp.resolve("d/f").toString()));
            assertNull(fs.lgetxattr(tmp.resolve("d/f").toString(), "user.none"));

            fs.symlinkat("/", root, "esc");
            fs.linkat(root, "d/f", root, "hard", 0);
            FileCalls.Stat st = fs.lstatat(root, "hard");
            assertEquals(FileCalls.S_IFREG, st.type());
            assertEquals(2, st.nlink());
            assertEquals(6, st.size());
            assertEquals(FileCalls.S_IFLNK, fs.lstatat(root, "esc").type());
            fs.utimensat(root, "esc", 5, 0, 7, 0, FileCalls.AT_SYMLINK_NOFOLLOW);
            fs.mknodat(root, "fifo", FileCalls.S_IFIFO | 0600, 0);
            fs.fchmodat(root, "fifo", 0640);
            assertEquals(FileCalls.S_IFIFO | 0640, fs.lstatat(root, "fifo").mode());
            fs.renameat2(root, "fifo", root, "hard", FileCalls.RENAME_EXCHANGE);
            assertEquals(FileCalls.S_IFIFO, fs.lstatat(root, "hard").type());
            assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class,
                    () -> fs.renameat2(root, "fifo", root, "hard", FileCalls.RENAME_NOREPLACE)).errno());
            fs.unlinkat(root, "fifo", 0);
            assertEquals(Errno.EISDIR, assertThrows(ErrnoException.class, () -> fs.unlinkat(root, "d", 0)).errno());
            assertEquals(Errno.ENOTEMPTY, assertThrows(ErrnoException.class, () -> fs.unlinkat(root, "d", FileCalls.AT_REMOVEDIR)).errno());
            int dfd = fs.openat(root, "d", FileCalls.O_RDONLY | FileCalls.O_DIRECTORY, 0);
            fs.ftruncate(fs.openat(dfd, "f", FileCalls.O_WRONLY, 0), 2);
            assertEquals(2, Files.size(tmp.resolve("d/f")));
            fs.close(dfd);
            assertEquals("root".equals(System.getProperty("user.name")), fs.geteuid() == 0);
        } finally {
            fs.close(root);
        }
    }

    @Test
    void openat2InRootKeepsSymlinksAndDotDotInside() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(tmp.resolve("etc/outside"), "x");
        int rfd = open(root);
        try {
            fs.symlinkat("/", rfd, "esc");
            fs.symlinkat("../../..", rfd, "up");
            long how = FileCalls.RESOLVE_IN_ROOT | FileCalls.RESOLVE_NO_MAGICLINKS;
            for (String p : List.of("esc/etc", "up/etc", "../etc", "/etc")) {
                int fd = fs.openat2(rfd, p, FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, how);
                // resolved inside: root/etc, which has no "outside"
                assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> fs.lstatat(fd, "outside")).errno(), p);
                fs.close(fd);
            }
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> fs.openat2(rfd, "../etc", FileCalls.O_PATH, 0, FileCalls.RESOLVE_BENEATH));
            assertEquals(Errno.EXDEV, e.errno());
            assertTrue(e.getMessage().startsWith("openat2 \"../etc\": EXDEV"), e.getMessage());
        } finally {
            fs.close(rfd);
        }
    }

    @Test
    void rawNamesPassEveryByteAndReaddirReturnsThem() throws Exception {
        FileCalls raw = FileCalls.rawNames();
        int root = open(tmp);
        try {
            String name = "raw-\u00ff\u00fe"; // the bytes ff fe, not UTF-8
            raw.mkdirat(root, name, 0755);
            int fd = raw.openat(root, name + "/caf\u00c3\u00a9", FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL, 0600); // UTF-8 "café"
            raw.close(fd);
            raw.symlinkat("../" + name, root, "link-\u0080");
            int dir = raw.openat2(root, name, FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0, FileCalls.RESOLVE_IN_ROOT);
            try {
                assertEquals(List.of("caf\u00c3\u00a9"), raw.readdir(dir));
                assertEquals(List.of("caf\u00e9"), fs.readdir(dir)); // the same bytes as text
            } finally {
                raw.close(dir);
            }
            assertEquals("../" + name, raw.readlinkat(root, "link-\u0080"));
            List<String> top = raw.readdir(root).stream().sorted().toList();
            assertEquals(List.of("link-\u0080", name), top);
            // what the kernel holds, read through a shell that sees bytes
            Process ls = new ProcessBuilder("sh", "-c", "ls " + tmp + " | od -An -tx1 | tr -d ' \\n'").start();
            assertEquals("6c696e6b2d800a7261772d fffe0a".replace(" ", ""), new String(ls.getInputStream().readAllBytes()));
            ErrnoException e = assertThrows(ErrnoException.class, () -> raw.mkdirat(root, name, 0755));
            assertEquals("mkdirat \"raw-\\xff\\xfe\": EEXIST (File exists)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> raw.mkdirat(root, "\u20ac", 0755));
        } finally {
            fs.close(root);
        }
        assertEquals("caf\u00e9 raw-\\xff\\xfe \\xe2\\x82", FileCalls.shown("caf\u00c3\u00a9 raw-\u00ff\u00fe \u00e2\u0082"));
    }
}
