package oci.image.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The files of a directory (an OCI layout, or an unpacked docker-archive). A file is copied to
 * scratch (and hashed) only when the import needs it; symbolic links may not lead out of the directory.
 */
final class DirEntries implements Entries {
    private final Path root;
    private final Path realRoot;
    private final Scratch scratch;
    private final Map<String, Spooled> spooled = new HashMap<>();

    DirEntries(Path root, Scratch scratch) throws IOException {
        this.root = root;
        this.realRoot = root.toRealPath();
        this.scratch = scratch;
    }

    @Override
    public String source() {
        return root.toString();
    }

    private Path file(String name) throws IOException {
        Path p = root.resolve(name);
        if (!Files.exists(p)) return null;
        Path real = p.toRealPath();
        if (!real.startsWith(realRoot)) throw new ImportException(source(), name, "leads out of the directory (to " + real + ")");
        return Files.isRegularFile(real) ? real : null;
    }

    @Override
    public boolean has(String name) {
        try {
            return file(name) != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Spooled spool(String name, String algorithm) throws IOException {
        Spooled s = spooled.get(name);
        if (s == null) {
            Path f = file(name);
            if (f == null) throw new ImportException(source(), name, "missing from the directory");
            try (InputStream in = Files.newInputStream(f)) {
                s = scratch.copy(in, algorithm);
            }
            spooled.put(name, s);
        }
        s.digest(algorithm);
        return s;
    }

    @Override
    public void close() {}
}
