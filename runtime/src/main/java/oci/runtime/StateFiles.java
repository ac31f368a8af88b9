package oci.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes of what the runtime keeps in its state root, as runc keeps them: a container's
 * config.json holds its environment, often secrets, so every file is its owner's alone (0600).
 * The state root and the container directories are 0711: nobody else can list them, but a
 * container's init that runs as root of a user namespace (another uid on the host) still reaches
 * its exec fifo and hook state by path through them.
 */
final class StateFiles {
    private StateFiles() {}

    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx--x--x");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(FILE);

    /** Makes the state root (0711, whatever the umask) unless it exists; an existing one is left as it is. */
    static void makeRoot(Path root) throws IOException {
        if (Files.isDirectory(root)) return;
        if (root.getParent() != null) Files.createDirectories(root.getParent());
        try {
            Files.createDirectory(root);
        } catch (FileAlreadyExistsException e) {
            return; // made meanwhile by another command
        }
        Files.setPosixFilePermissions(root, DIR);
    }

    /** Makes a container's directory (0711). */
    static void makeContainerDir(Path dir) throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, DIR);
    }

    /** Writes a file only its owner can read (0600 when it is made). */
    static void write(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), FILE_ATTR)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) ch.write(b);
        }
    }

    /** As {@link #write}, through a temp file beside it and a rename: readers never see half of it. */
    static void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Opens (making it, 0600) a container's lock file for writing. */
    static FileChannel openLock(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), FILE_ATTR);
    }
}
