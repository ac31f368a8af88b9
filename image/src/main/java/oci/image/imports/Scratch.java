package oci.image.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import oci.image.Digest;

/**
 * A private directory under the store's {@code .tmp/} for one import. Entries are copied here while
 * they are hashed; what the import publishes is renamed out, the rest is deleted with the directory.
 */
final class Scratch implements AutoCloseable {
    private static final int BUFFER = 1 << 17;
    final Path dir;
    private int counter;

    /** Ctrl-C or kill (SIGTERM) mid-import: the copies, up to the archive's size, go with the process. */
    private final Thread onExit;

    Scratch(Path storeTmp) throws IOException {
        this.dir = Files.createTempDirectory(storeTmp, "import-");
        this.onExit = new Thread(this::deleteQuietly, "oci-import-scratch-cleanup");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    private void deleteQuietly() {
        try {
            delete();
        } catch (IOException | RuntimeException ignored) {
            // exiting anyway; gc removes what is left once it is stale
        }
    }

    /**
     * Copies {@code in} to a new scratch file, hashing it with sha256 and {@code extraAlgorithm}
     * (may be null). Reads at most {@code limit} bytes when {@code limit >= 0}.
     */
    Spooled copy(InputStream in, String extraAlgorithm) throws IOException {
        Path f = dir.resolve(Integer.toString(counter++));
        MessageDigest sha256 = Digest.newHasher("sha256");
        MessageDigest extra = extraAlgorithm == null || extraAlgorithm.equals("sha256") ? null : Digest.newHasher(extraAlgorithm);
        long size = 0;
        byte[] buf = new byte[BUFFER];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                sha256.update(buf, 0, n);
                if (extra != null) extra.update(buf, 0, n);
                bb.clear().limit(n);
                while (bb.hasRemaining()) ch.write(bb);
                size += n;
            }
            // The file becomes a blob by a rename; its bytes must be on disk before index.json names it.
            ch.force(false);
        }
        Map<String, Digest> d = new LinkedHashMap<>();
        d.put("sha256", Digest.of("sha256", sha256.digest()));
        if (extra != null) d.put(extraAlgorithm, Digest.of(extraAlgorithm, extra.digest()));
        return new Spooled(f, size, d);
    }

    /** Writes bytes made by the import itself (a manifest it builds). */
    Spooled write(byte[] bytes) throws IOException {
        return copy(new java.io.ByteArrayInputStream(bytes), null);
    }

    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is deleting the directory already
            return;
        }
        delete();
    }

    private void delete() throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
        }
        Files.deleteIfExists(dir);
    }
}
