package oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import oci.image.BlobSource;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageConfig;
import oci.image.ImageException;
import oci.image.Manifest;
import oci.image.store.Store;
import oci.image.store.StoredImage;

/**
 * A pull whose blobs can be read while they download: layers of an image can be unpacked as they
 * arrive, each from the first byte, in order, while later ones still download in parallel.
 *
 * <p>Pass it as the {@link RegistryClient}'s listener (it forwards every event to {@code next}),
 * {@link #start} the pull, then {@link #image()} gives the image as soon as its manifest and config
 * are in, and {@link #open} a layer's bytes: from the store when it is there, else following the
 * download's partial file as it grows. Nothing read that way is verified yet: the reader checks the
 * digest itself, and the stream it gets ends only after the store verified and kept the blob (an
 * IOException if the pull failed). {@link #await} returns the pull's result.
 */
public final class StreamingPull implements PullListener, BlobSource {
    private final Store store;
    private final String name;
    private final PullListener next;
    private final Map<Digest, Blob> blobs = new HashMap<>();
    private Descriptor manifestDesc;
    private Manifest manifest;
    private PullResult result;
    private RuntimeException failure;
    private Thread thread;

    /** One blob being written. */
    private static final class Blob {
        Path partial;
        long bytes;
        boolean done;
        /** Counts new partial files and restarts (the bytes written went back): what a follower read before is not what the store verifies. */
        int generation;
    }

    /** @param name the name the pull will give the image (the full reference) */
    public StreamingPull(Store store, String name, PullListener next) {
        this.store = store;
        this.name = name;
        this.next = next == null ? PullListener.NONE : next;
    }

    /** Runs {@code pull} (a {@link RegistryClient#pull} whose client has this as its listener) on a thread of its own. */
    public synchronized void start(Supplier<PullResult> pull) {
        if (thread != null) throw new IllegalStateException("already started");
        thread = Thread.ofPlatform().daemon().name("oci-streaming-pull").start(() -> {
            try {
                PullResult r = pull.get();
                synchronized (this) {
                    result = r;
                    notifyAll();
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    failure = e;
                    notifyAll();
                }
            }
        });
    }

    @Override
    public void on(PullEvent event) {
        synchronized (this) {
            switch (event) {
                case PullEvent.ImageChosen c -> {
                    manifestDesc = c.manifest();
                    manifest = c.parsed();
                }
                case PullEvent.Writing w -> {
                    Blob b = blobs.computeIfAbsent(w.blob().digest(), k -> new Blob());
                    b.partial = w.partial();
                    b.bytes = 0;
                    b.generation++;
                }
                case PullEvent.BlobStarted s -> advance(blobs.computeIfAbsent(s.blob().digest(), k -> new Blob()), s.offset());
                case PullEvent.BlobProgress p -> advance(blobs.computeIfAbsent(p.blob().digest(), k -> new Blob()), p.bytes());
                case PullEvent.BlobDone d -> blobs.computeIfAbsent(d.blob().digest(), k -> new Blob()).done = true;
                default -> { }
            }
            notifyAll();
        }
        next.on(event);
    }

    private static void advance(Blob b, long bytes) {
        if (bytes < b.bytes) b.generation++; // the writer started the file over (a server that ignored Range)
        b.bytes = bytes;
    }

    /** The image being pulled, once its manifest and config are in the store's reach; throws the pull's failure. */
    public StoredImage image() {
        synchronized (this) {
            while (true) {
                if (manifest != null) {
                    Digest c = manifest.config().digest();
                    if (store.hasBlob(c)) break;
                }
                if (failure != null) throw failure;
                if (result != null) {
                    // an --all-platforms pull or an image the events did not name: read it from the store
                    return store.image(name, oci.image.Platform.host());
                }
                waitHere();
            }
        }
        Digest c = manifest.config().digest();
        return new StoredImage(name, manifestDesc, manifest, ImageConfig.parse(store.readBlob(c), "config " + c));
    }

    /** Waits for the pull to end; its result, or its failure thrown. */
    public PullResult await() {
        synchronized (this) {
            while (result == null && failure == null) waitHere();
            if (failure != null) throw failure;
            return result;
        }
    }

    private void waitHere() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("pull " + name + ": interrupted");
        }
    }

    /** The blob from the store, or the download's bytes as they arrive. */
    @Override
    public InputStream open(Digest digest) throws IOException {
        while (true) {
            Path partial;
            int generation;
            synchronized (this) {
                while (true) {
                    if (store.hasBlob(digest)) return store.open(digest);
                    if (failure != null) throw new IOException(failure.getMessage(), failure);
                    Blob b = blobs.get(digest);
                    if (b != null && b.partial != null && !b.done) {
                        partial = b.partial;
                        generation = b.generation;
                        break;
                    }
                    if (result != null) throw new ImageException("blob " + digest + " is not in the store and this pull did not fetch it");
                    waitHere();
                }
            }
            try {
                return new Follower(digest, FileChannel.open(partial, StandardOpenOption.READ), generation);
            } catch (NoSuchFileException committedMeanwhile) {
                // moved into blobs/, or dropped (a failed check) between the look and the open: look again
                synchronized (this) {
                    try {
                        wait(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                }
            }
        }
    }

    /** Reads a partial file as it grows; ends when the store has the verified blob (so the reader need not hash it again). */
    private final class Follower extends InputStream implements BlobSource.Verified {
        private final Digest digest;
        private final FileChannel ch;
        private final int generation;
        private long pos;

        Follower(Digest digest, FileChannel ch, int generation) {
            this.digest = digest;
            this.ch = ch;
            this.generation = generation;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (true) {
                long available;
                boolean done;
                synchronized (StreamingPull.this) {
                    Blob bl = blobs.get(digest);
                    if (bl.generation != generation) {
                        // what this stream gave is not what the store verifies: its reader trusts the store's check (Verified)
                        throw new IOException("the download of " + digest + " started over after " + pos
                                + " bytes were read (a server that ignored a range request, or a kept partial file that did not verify): run the command again");
                    }
                    available = bl.bytes;
                    done = bl.done;
                    if (pos >= available && !done) {
                        if (failure != null) throw new IOException("download of " + digest + " failed: " + failure.getMessage(), failure);
                        try {
                            StreamingPull.this.wait(200);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted");
                        }
                        continue;
                    }
                }
                // committed: the file was renamed into blobs/, this channel still reads it to its end
                long limit = done ? Long.MAX_VALUE : available;
                int want = (int) Math.min(len, limit - pos);
                int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
                if (n > 0) {
                    pos += n;
                    return n;
                }
                if (done) return -1;
                // the writer started the file over (a server that ignored Range): the same bytes come again
                synchronized (StreamingPull.this) {
                    try {
                        StreamingPull.this.wait(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
