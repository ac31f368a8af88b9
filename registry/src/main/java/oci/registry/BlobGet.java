package oci.registry;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import oci.image.Descriptor;
import oci.image.store.BlobWriter;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * {@code GET /v2/NAME/blobs/DIGEST} (or a layer's foreign URL) streamed into a {@link BlobWriter},
 * which hashes as it writes. When the writer already holds bytes (an earlier attempt or run), asks
 * for the rest with {@code Range}; a 200 instead of 206 starts over. A body that ends early is an
 * IOException, so the caller retries and resumes from what arrived.
 */
final class BlobGet implements Endpoint<Void> {
    private static final int CHUNK = 256 * 1024;

    private final String action;
    private final HttpUrl absolute;
    private final String repository;
    private final Descriptor blob;
    private final BlobWriter writer;
    private final LongConsumer progress;

    /** @param absolute a foreign URL to fetch instead of the registry's blob endpoint, or null */
    BlobGet(String action, String repository, HttpUrl absolute, Descriptor blob, BlobWriter writer, LongConsumer progress) {
        this.action = action;
        this.repository = repository;
        this.absolute = absolute;
        this.blob = blob;
        this.writer = writer;
        this.progress = progress;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Request request(HttpUrl base) {
        HttpUrl url = absolute != null ? absolute : base.newBuilder().encodedPath("/v2/").addPathSegments(repository)
                .addPathSegment("blobs").addPathSegment(blob.digest().toString()).build();
        Request.Builder b = new Request.Builder().url(url);
        if (writer.offset() > 0) b.header("Range", "bytes=" + writer.offset() + "-");
        return b.build();
    }

    @Override
    public Void handle(Response response) throws IOException {
        long offset = writer.offset();
        if (offset > 0) {
            if (response.code() == 206) {
                long start = rangeStart(response.header("Content-Range"));
                if (start != offset) {
                    writer.restart();
                    throw new ProtocolException("the server resumed at byte " + start + ", not " + offset + "; starting over");
                }
            } else {
                writer.restart(); // the server ignored Range and sends everything
            }
        }
        // okio hands out at most one 8 KiB segment per read; gathering a whole chunk before writing
        // makes one file write, one hash update and one progress event per 256 KiB instead of per 8 KiB.
        // The chunk is a direct buffer: the file write and libcrypto's hash read it in place.
        BufferedSource source = response.body().source();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long synced = writer.offset(); // where the last early sync was asked for (see Writeback)
        while (true) {
            int n;
            try {
                n = source.read(buf);
            } catch (IOException cut) {
                writer.write(buf.flip()); // keep what arrived, so a retry resumes after it
                throw cut;
            }
            if (n == -1) break;
            if (!buf.hasRemaining()) {
                writer.write(buf.flip());
                buf.clear();
                progress.accept(writer.offset());
                if (writer.offset() - synced >= Writeback.STEP) {
                    synced = writer.offset();
                    Writeback.request(writer.path());
                }
            }
        }
        writer.write(buf.flip());
        progress.accept(writer.offset());
        if (writer.offset() < blob.size()) {
            throw new ProtocolException("the connection ended after " + writer.offset() + " of " + blob.size() + " bytes");
        }
        return null;
    }

    private static long rangeStart(String contentRange) {
        // "bytes START-END/TOTAL" (RFC 9110 §14.4)
        if (contentRange == null || !contentRange.startsWith("bytes ")) return -1;
        try {
            return Long.parseLong(contentRange.substring(6, contentRange.indexOf('-')).trim());
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
