package oci.image.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageException;

/**
 * Writes one blob of known digest into the store: bytes go to a partial file while they are hashed,
 * and {@link #commit} renames it into blobs/ only when size and digest match. A partial file left by
 * an interrupted download is kept, and a new writer for the same digest continues from its end
 * ({@link #offset()}), so a download can resume with a Range request.
 */
public final class BlobWriter extends OutputStream {
    private final Store store;
    private final Digest expected;
    private final long expectedSize;
    private final Path partial;
    private final FileChannel channel;
    private final OutputStream out;
    private final MessageDigest hasher;
    private long written;
    private boolean done;

    BlobWriter(Store store, Digest expected, long expectedSize, Path partial) throws IOException {
        this.store = store;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.partial = partial;
        this.hasher = expected.hasher();
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        // Re-hash what an earlier attempt left, then append after it.
        long existing = channel.size();
        if (expectedSize >= 0 && existing > expectedSize) {
            channel.truncate(0);
            existing = 0;
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < existing) {
            buf.clear();
            int n = channel.read(buf, pos);
            if (n < 0) break;
            hasher.update(buf.array(), 0, n);
            pos += n;
        }
        channel.position(existing);
        this.written = existing;
        this.out = Channels.newOutputStream(channel);
    }

    /** The partial file the bytes go to (readable while they arrive; it moves into blobs/ on commit). */
    public Path path() {
        return partial;
    }

    /** Bytes already written (including those kept from an earlier attempt). */
    public long offset() {
        return written;
    }

    /** Drops the bytes written so far, e.g. when a server ignored a Range request. */
    public void restart() throws IOException {
        channel.truncate(0);
        channel.position(0);
        hasher.reset();
        written = 0;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (expectedSize >= 0 && written + len > expectedSize) {
            throw new ImageException("blob " + expected + ": more than the expected " + expectedSize + " bytes");
        }
        out.write(b, off, len);
        hasher.update(b, off, len);
        written += len;
    }

    /**
     * Writes the buffer's remaining bytes and hashes them. A direct buffer goes to the file and to
     * the hasher where it lies: no copy into a temporary buffer, as a heap array's write needs.
     */
    public void write(ByteBuffer src) throws IOException {
        int len = src.remaining();
        if (expectedSize >= 0 && written + len > expectedSize) {
            throw new ImageException("blob " + expected + ": more than the expected " + expectedSize + " bytes");
        }
        ByteBuffer forHash = src.duplicate();
        while (src.hasRemaining()) channel.write(src);
        hasher.update(forHash);
        written += len;
    }

    /** Verifies size and digest and publishes the blob; on mismatch the partial file is removed. */
    public Descriptor commit(String mediaType) throws IOException {
        done = true;
        channel.force(false);
        channel.close();
        Digest actual = Digest.of(expected.algorithm(), hasher.digest());
        if (expectedSize >= 0 && written != expectedSize) {
            Files.deleteIfExists(partial);
            throw new ImageException("blob " + expected + ": size mismatch: expected " + expectedSize + " bytes, got " + written);
        }
        if (!actual.equals(expected)) {
            Files.deleteIfExists(partial);
            throw new ImageException("blob " + expected + ": digest mismatch: content hashes to " + actual);
        }
        Path target = store.blobPath(expected);
        Files.createDirectories(target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return Descriptor.of(mediaType, expected, written);
    }

    /** Closes without publishing. With {@code keepPartial} the bytes stay for a later resume. */
    public void abort(boolean keepPartial) throws IOException {
        if (done) return;
        done = true;
        channel.close();
        if (!keepPartial) Files.deleteIfExists(partial);
    }

    @Override
    public void close() throws IOException {
        abort(true);
    }
}
