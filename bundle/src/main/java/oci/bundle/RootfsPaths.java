package oci.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a rootfs as if the rootfs were {@code /}: symlinks (absolute or with
 * {@code ..}) never lead out of it. Image content is untrusted, so /etc/passwd may be a link to the
 * host's file; reading through this never touches anything outside the rootfs.
 */
final class RootfsPaths {
    private RootfsPaths() {}

    private static final int MAX_LINKS = 40; // as the kernel's path walk (MAXSYMLINKS)

    /** The host path of {@code inside} (absolute, as seen in the container) in {@code rootfs}. */
    static Path resolve(Path rootfs, String inside) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, inside);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path candidate = join(rootfs, done).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) throw new IOException(inside + ": too many levels of symbolic links");
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) done.clear();
                push(todo, target);
                continue;
            }
            done.addLast(part);
            if (!todo.isEmpty() && Files.exists(candidate, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(inside + ": not a directory: /" + String.join("/", done));
            }
        }
        return join(rootfs, done);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.push(parts[i]);
    }

    private static Path join(Path rootfs, Deque<String> parts) {
        Path p = rootfs;
        for (String s : parts) p = p.resolve(s);
        return p;
    }
}
