package oci.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts the disk writes of a large download while it still arrives. A blob is synced
 * ({@code fdatasync}) before it is published, and for a large layer most of that sync's time was the
 * disk writing the whole file at its end, on the pull's critical path (60-140 ms per 40-70 MB layer
 * on the bench machine). Every {@link #STEP} bytes the partial file is synced here instead, on a
 * thread of its own while the download goes on, so that the final sync has only the last piece
 * left. Nothing about durability changes: the store still syncs the whole file before its rename.
 */
final class Writeback {
    /** Bytes between two early syncs of one file. */
    static final long STEP = 16L << 20;

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("oci-writeback").factory());
    /** Files with a sync queued and not yet started: a second request for one of them is not needed. */
    private static final Set<Path> QUEUED = ConcurrentHashMap.newKeySet();

    private Writeback() {}

    /** Syncs {@code partial} soon, on the writeback thread; a file gone by then (published, dropped) is skipped. */
    static void request(Path partial) {
        if (!QUEUED.add(partial)) return;
        THREAD.execute(() -> {
            QUEUED.remove(partial);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.READ)) {
                ch.force(false);
            } catch (IOException | RuntimeException goneOrFailed) {
                // an early sync is only a head start: the store's own sync before the rename is the one that counts
            }
        });
    }
}
