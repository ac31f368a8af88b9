package oci.unpack;

import java.io.IOException;
import java.util.List;
import oci.linux.Errno;
import oci.linux.ErrnoException;
import oci.linux.FileCalls;

/**
 * Listing and removing directory trees through directory fds, never following a symlink. Names
 * below the top are bytes ({@link FileCalls#rawNames()}): a tree whose names are not UTF-8 goes too.
 */
final class Tree {
    private Tree() {}

    /** The names in the directory open as {@code dirfd}, as bytes. */
    static List<String> list(int dirfd) throws IOException {
        return FileCalls.rawNames().readdir(dirfd);
    }

    /**
     * Removes {@code name} below {@code pfd}: a file, a symlink (not what it points to) or a whole
     * directory tree. {@code name} is as {@code fs} takes names; the names below, bytes.
     */
    static void removeAll(FileCalls fs, int pfd, String name) throws IOException {
        try {
            fs.unlinkat(pfd, name, 0);
            return;
        } catch (ErrnoException ex) {
            if (ex.errno() == Errno.ENOENT) return;
            if (ex.errno() != Errno.EISDIR) throw ex;
        }
        // Unprivileged, a directory of mode 0555 or 0000 must be opened up before it can be emptied.
        if (fs.geteuid() != 0) fs.fchmodat(pfd, name, 0700);
        int dfd = fs.openat(pfd, name, FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC, 0);
        try {
            for (String child : list(dfd)) removeAll(FileCalls.rawNames(), dfd, child);
        } finally {
            fs.close(dfd);
        }
        fs.unlinkat(pfd, name, FileCalls.AT_REMOVEDIR);
    }
}
