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
    /** Null until a hasher is ready (see {@link #hasher()}); then it has hashed the first {@link #hashed} bytes. */
    private MessageDigest hasher;
    private long hashed;
    private long written;
    private boolean done;

    BlobWriter(Store store, Digest expected, long expectedSize, Path partial) throws IOException {
        this.store = store;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.partial = partial;
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        // Append after what an earlier attempt left (hashed with the first bytes written, or at commit).
        long existing = channel.size();
        if (expectedSize >= 0 && existing > expectedSize) {
            channel.truncate(0);
            existing = 0;
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
        if (hasher != null) hasher.reset();
        hashed = 0;
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
        MessageDigest h = hasher();
        out.write(b, off, len);
        if (h != null) {
            h.update(b, off, len);
            hashed += len;
        }
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
        MessageDigest h = hasher();
        ByteBuffer forHash = src.duplicate();
        while (src.hasRemaining()) channel.write(src);
        if (h != null) {
            h.update(forHash);
            hashed += len;
        }
        written += len;
    }

    /**
     * The hasher, or null while libcrypto is still being bound for this pull ({@link Digest#readyHasher}):
     * the bytes then go to the file unhashed, and are read back from it (the page cache) and hashed
     * once a hasher is ready, instead of the download waiting for the binding. A partial file kept
     * from an earlier attempt is hashed the same way.
     */
    private MessageDigest hasher() throws IOException {
        if (hasher == null) {
            hasher = Digest.readyHasher(expected.algorithm(), expectedSize);
            if (hasher != null) catchUp();
        }
        return hasher;
    }

    /** Hashes the file's bytes from {@link #hashed} to {@link #written}. */
    private void catchUp() throws IOException {
        if (hashed == written) return;
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(written - hashed, 1 << 20));
        while (hashed < written) {
            buf.clear().limit((int) Math.min(buf.capacity(), written - hashed));
            int n = channel.read(buf, hashed);
            if (n < 0) throw new IOException("partial file " + partial + " is shorter than the " + written + " bytes written");
            hasher.update(buf.flip());
            hashed += n;
        }
    }

    /** Verifies size and digest and publishes the blob; on mismatch the partial file is removed. */
    public Descriptor commit(String mediaType) throws IOException {
        done = true;
        channel.force(false);
        if (hasher == null) hasher = Digest.newHasher(expected.algorithm(), expectedSize); // waits for libcrypto's binding
        catchUp();
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
