package oci.unpack;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import oci.image.BlobSource;
import oci.image.Digest;

/**
 * One layer's uncompressed tar stream. A thread of its own reads the blob, checks its digest,
 * decompresses it (gzip, zstd or none, told by the magic bytes), hashes the tar for the diffID and
 * hands it over in large chunks, so decompression and hashing run ahead of the tar reader.
 *
 * <p>{@link #finish()} drains what the tar reader left (padding after the end-of-archive blocks is
 * part of the diffID) and returns the uncompressed digest.
 */
final class LayerStream extends InputStream {
    private static final int CHUNK = 1 << 20;
    private static final int DEPTH = 8;
    private static final byte[] EOF = new byte[0];

    private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(DEPTH + 2);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread producer;
    private volatile Throwable failure;
    private volatile Digest diffId;
    private byte[] current;
    private int pos, limit;
    private boolean eof;

    /**
     * @param blob the stored (maybe compressed) bytes; closed by the producer
     * @param expected the blob's digest and size to verify, or null (a lone tar stream)
     * @param total uncompressed bytes of all layers so far, checked against {@code maxBytes}
     */
    LayerStream(InputStream blob, Digest expected, long expectedSize, AtomicLong total, long maxBytes) {
        for (int i = 0; i < DEPTH; i++) free.add(new byte[CHUNK]);
        producer = Thread.ofPlatform().daemon().name("oci-unpack-decompress").unstarted(
                () -> produce(blob, expected, expectedSize, total, maxBytes));
        producer.start();
    }

    private void produce(InputStream blob, Digest expected, long expectedSize, AtomicLong total, long maxBytes) {
        InputStream tar = null;
        try (blob) {
            // a stream the source verifies before it ends (a download the store hashed) is not hashed twice
            boolean check = expected != null && !(blob instanceof BlobSource.Verified);
            HashingInputStream raw = new HashingInputStream(blob, check ? expected.hasher() : null);
            tar = decompressor(new BufferedInputStream(raw, 1 << 16));
            MessageDigest diff = Digest.newHasher("sha256");
            while (true) {
                byte[] chunk = free.take();
                int n = readFully(tar, chunk);
                if (n > 0) {
                    update(diff, chunk, 0, n);
                    long t = total.addAndGet(n);
                    if (maxBytes > 0 && t > maxBytes) {
                        throw new UnpackException("the layers uncompress to more than the limit of " + maxBytes + " bytes");
                    }
                    full.put(n == CHUNK ? chunk : java.util.Arrays.copyOf(chunk, n));
                    if (n < CHUNK) free.add(chunk);
                }
                if (n < CHUNK) break;
            }
            if (tar instanceof IsalGzip isal) isal.close(); // its native buffers; the blob is drained below
            // Bytes past the compressed stream's end are not part of the layer; the digest covers the blob.
            byte[] rest = new byte[1 << 16];
            while (raw.read(rest) >= 0) { /* drain the blob so its digest covers every byte */ }
            if (check) {
                Digest got = Digest.of(expected.algorithm(), raw.digest());
                if (!got.equals(expected)) {
                    throw new UnpackException("blob content has digest " + got + ", not " + expected);
                }
            }
            if (expected != null && expectedSize >= 0 && raw.count() != expectedSize) {
                throw new UnpackException("blob has " + raw.count() + " bytes, the manifest says " + expectedSize);
            }
            diffId = Digest.of("sha256", diff.digest());
            full.put(EOF);
        } catch (InterruptedException e) {
            failure = e;
        } catch (Throwable t) {
            failure = t;
            full.offer(EOF);
        } finally {
            if (tar instanceof IsalGzip isal) isal.close();
        }
    }

    /**
     * Hashes in 16 KiB slices: the JIT replaces the multi-block SHA-256 loop by its SHA-NI stub only
     * once that method is hot, and a few hundred 1 MiB updates never make it hot (3x slower).
     */
    static void update(MessageDigest md, byte[] b, int off, int len) {
        for (int o = 0; o < len; o += 16384) md.update(b, off + o, Math.min(16384, len - o));
    }

    private static InputStream decompressor(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return IsalGzip.usable() ? new IsalGzip(in) : new GZIPInputStream(in, 1 << 16);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return new ZstdInputStreamNoFinalizer(in);
        }
        return in;
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) break;
            n += r;
        }
        return n;
    }

    private boolean next() throws IOException {
        if (eof) return false;
        if (current != null && current.length == CHUNK) free.offer(current);
        try {
            current = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (current == EOF) {
            eof = true;
            current = null;
            if (failure != null) throw asIo(failure);
            return false;
        }
        pos = 0;
        limit = current.length;
        return true;
    }

    private IOException asIo(Throwable t) {
        if (t instanceof UnpackException u) throw u;
        if (t instanceof IOException io) return new IOException(describe(io), io);
        return new IOException(t.toString(), t);
    }

    static String describe(IOException e) {
        if (e instanceof java.io.EOFException) return "truncated (" + (e.getMessage() == null ? "unexpected end of data" : e.getMessage()) + ")";
        if (e instanceof java.util.zip.ZipException) return "corrupt gzip data (" + e.getMessage() + ")";
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.startsWith("Truncated") ? "truncated" + m.substring("Truncated".length()) : m;
    }

    @Override
    public int read() throws IOException {
        if (current == null || pos == limit) {
            if (!next()) return -1;
        }
        return current[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (current == null || pos == limit) {
            if (!next()) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads to the end (drains what the tar reader did not need) and returns the uncompressed digest. */
    Digest finish() throws IOException {
        while (next()) { pos = limit; }
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (failure != null) throw asIo(failure);
        return diffId;
    }

    /** Stops the producer (on failure of the reader side). */
    @Override
    public void close() {
        producer.interrupt();
    }

    /** Counts and hashes what passes through. */
    private static final class HashingInputStream extends java.io.FilterInputStream {
        private final MessageDigest md;
        private long count;

        HashingInputStream(InputStream in, MessageDigest md) {
            super(in);
            this.md = md;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
                if (md != null) md.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (md != null) update(md, b, off, n);
            }
            return n;
        }

        byte[] digest() {
            return md.digest();
        }

        long count() {
            return count;
        }
    }
}
