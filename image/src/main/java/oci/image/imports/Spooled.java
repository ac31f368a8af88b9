package oci.image.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import oci.image.Digest;

/**
 * One archive entry copied into the store's scratch directory, with the digests computed while it
 * was copied. It becomes a blob by a rename, so publishing never copies bytes a second time.
 */
final class Spooled {
    final Path file;
    final long size;
    private final Map<String, Digest> digests = new HashMap<>();

    Spooled(Path file, long size, Map<String, Digest> digests) {
        this.file = file;
        this.size = size;
        this.digests.putAll(digests);
    }

    /** The digest of the content with {@code algorithm}; hashed again from disk only if not known yet. */
    Digest digest(String algorithm) throws IOException {
        Digest d = digests.get(algorithm);
        if (d != null) return d;
        MessageDigest h = Digest.newHasher(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) h.update(buf, 0, n);
        }
        d = Digest.of(algorithm, h.digest());
        digests.put(algorithm, d);
        return d;
    }

    /** The first bytes of the content (for magic numbers). */
    byte[] head(int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }
}
