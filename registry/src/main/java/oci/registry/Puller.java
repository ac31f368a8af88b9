package oci.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageConfig;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.Index;
import oci.image.Manifest;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.BlobWriter;
import oci.image.store.Store;
import okhttp3.HttpUrl;

/**
 * One pull, by walking descriptors: the reference's manifest or index; from an index the image(s)
 * for the wanted platform; from each manifest its config and layers. Blobs already in the store are
 * skipped; the rest download in parallel (at most {@code jobs} at once), each verified before it
 * becomes visible. Manifests are stored byte for byte, and the name is set last, so a failed pull
 * leaves no name pointing at an incomplete image.
 *
 * <p>The store is asked for only once the top manifest has arrived: a command line opens the store
 * (its first JSON use is costly in a fresh JVM) on another thread while the first round trips run.
 * From then on, the pull keeps {@code oci gc} out of the store ({@link Store#keepingGcOut}).
 */
final class Puller {
    private final Caller caller;
    private final String registry;
    private final ImageRef ref;
    private final Supplier<Store> stores;
    private Store store;
    private final PullOptions options;
    private final PullListener listener;
    private final int attempts;
    private final Duration retryDelay;
    private final Function<HttpUrl, Caller> foreignCaller;

    Puller(Caller caller, String registry, ImageRef ref, Supplier<Store> stores, PullOptions options, PullListener listener,
           int attempts, Duration retryDelay, Function<HttpUrl, Caller> foreignCaller) {
        this.caller = caller;
        this.registry = registry;
        this.ref = ref;
        this.stores = stores;
        this.options = options;
        this.listener = listener;
        this.attempts = attempts;
        this.retryDelay = retryDelay;
        this.foreignCaller = foreignCaller;
    }

    PullResult pull() {
        return pull(fetchTop());
    }

    /** The reference's manifest or index: the pull's first request. */
    ManifestGet.Fetched fetchTop() {
        return caller.call(new ManifestGet("pull " + ref.familiar() + " from " + registry, ref.path(),
                ref.reference(), ref.digest(), -1));
    }

    /** The pull, from its top manifest or index ({@link #fetchTop}) on. */
    PullResult pull(ManifestGet.Fetched top) {
        String name = ref.toString();
        Descriptor topDesc = Descriptor.of(top.mediaType(), top.digest(), top.bytes().length);
        listener.on(new PullEvent.Resolved(name, registry, topDesc));
        if (top.manifest() != null) prepareHasher(List.of(top.manifest()));
        store = stores.get();
        return store.keepingGcOut(() -> pullFrom(name, top, topDesc));
    }

    /** The rest of the pull, once the top manifest is known and the store open. */
    private PullResult pullFrom(String name, ManifestGet.Fetched top, Descriptor topDesc) {
        // Manifests to store, children first; the top one last.
        // (a list, not a map keyed by Descriptor: hashing a record there would be its first
        // invokedynamic hashCode, method handles built on this thread before the blobs start)
        List<Map.Entry<Descriptor, byte[]>> manifests = new ArrayList<>();
        List<Descriptor> images = new ArrayList<>();
        List<Manifest> parsed = new ArrayList<>();
        if (top.index() != null) {
            for (Descriptor child : children(top.index())) {
                ManifestGet.Fetched m = fetchChild(child);
                if (m.manifest() == null) {
                    throw new RegistryException("pull " + ref.familiar() + ": index entry " + child.digest() + " is itself an index; nested indexes are not supported");
                }
                Descriptor d = Descriptor.of(m.mediaType(), m.digest(), m.bytes().length);
                manifests.add(Map.entry(d, m.bytes()));
                images.add(child);
                parsed.add(m.manifest());
            }
        } else {
            images.add(topDesc);
            parsed.add(top.manifest());
        }

        Map<String, Descriptor> blobs = new LinkedHashMap<>();
        for (Manifest m : parsed) {
            blobs.putIfAbsent(m.config().digest().toString(), m.config());
            for (Descriptor l : m.layers()) blobs.putIfAbsent(l.digest().toString(), l);
        }
        if (top.index() != null) prepareHasher(parsed);
        if (top.index() == null && options.platformChosen() && !options.allPlatforms()) requirePlatform(top.manifest().config());
        if (parsed.size() == 1 && !options.allPlatforms()) listener.on(new PullEvent.ImageChosen(images.getFirst(), parsed.getFirst()));
        List<Descriptor> planned = List.copyOf(blobs.values());
        listener.on(new PullEvent.Planned(planned));
        List<Descriptor> fetched = downloadAll(planned);

        for (Map.Entry<Descriptor, byte[]> e : manifests) store.putBlob(e.getKey().mediaType(), e.getValue());
        store.putBlob(top.mediaType(), top.bytes());
        store.tag(topDesc, name);
        listener.on(new PullEvent.Done(name, topDesc.digest()));
        return new PullResult(name, topDesc, List.copyOf(images), fetched);
    }

    /** libcrypto bound beside the downloads when they will hash enough for it to pay (see Digest.newHasher). */
    private static void prepareHasher(List<Manifest> images) {
        long total = 0;
        for (Manifest m : images) {
            total += Math.max(0, m.config().size());
            for (Descriptor l : m.layers()) total += Math.max(0, l.size());
        }
        if (total >= Digest.SMALL) Digest.prepareFastHasher();
    }

    /** A single image (no index) must be for the platform the user chose; its config says which it is. Fetched first, before any layer. */
    private void requirePlatform(Descriptor config) {
        if (!store.hasBlob(config.digest())) {
            try {
                download(config);
            } catch (IOException e) {
                throw new RegistryException("pull " + ref.familiar() + ": " + e.getMessage());
            }
        }
        Platform actual = ImageConfig.parse(store.readBlob(config.digest()), "config " + config.digest()).platform();
        if (!options.platform().matches(actual)) {
            throw new RegistryException("pull " + ref.familiar() + ": the image is for " + actual + ", not the requested "
                    + options.platform() + " (it is a single-platform image, not an index)");
        }
    }

    /** The index entries to fetch: every image with --all-platforms, else the one for the wanted platform. */
    private List<Descriptor> children(Index index) {
        if (!options.allPlatforms()) return List.of(index.select(options.platform(), "pull " + ref.familiar()));
        List<Descriptor> all = index.manifests().stream().filter(d -> MediaType.isManifest(d.mediaType())).toList();
        if (all.isEmpty()) throw new RegistryException("pull " + ref.familiar() + ": the index lists no image manifests");
        return all;
    }

    /** A manifest named by an index: from the store when present (it was verified when stored), else the registry. */
    private ManifestGet.Fetched fetchChild(Descriptor child) {
        String action = "pull manifest " + child.digest() + " of " + ref.familiar() + " from " + registry;
        if (store.hasBlob(child.digest())) {
            byte[] bytes = store.readBlob(child.digest());
            MediaType.requireManifestOrIndex(child.mediaType(), action);
            if (MediaType.isManifest(child.mediaType())) {
                return new ManifestGet.Fetched(bytes, child.mediaType(), child.digest(), Manifest.parse(bytes, action), null);
            }
        }
        return caller.call(new ManifestGet(action, ref.path(), child.digest().toString(), child.digest(), child.size()));
    }

    /** Downloads the blobs not yet stored, {@code jobs} at a time; the first failure stops the rest. */
    private List<Descriptor> downloadAll(List<Descriptor> planned) {
        List<Descriptor> missing = new ArrayList<>();
        for (Descriptor d : planned) {
            if (store.hasBlob(d.digest())) listener.on(new PullEvent.BlobPresent(d));
            else missing.add(d);
        }
        if (missing.isEmpty()) return List.of();
        // At most `jobs` downloads at once: the pool's size is the limit. Platform threads: a blocking socket read on a virtual thread goes through the poller
        // (extra epoll calls per 8 KiB read), which showed up as system time in bench/pull.sh.
        // Threads named oci-pull-N by a counter of its own: a builder's name(prefix, start) counts with
        // a VarHandle whose first use spins a method-handle class (~3 ms, before the first download).
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.jobs(), missing.size()),
                task -> Thread.ofPlatform().daemon().name("oci-pull-" + threads.incrementAndGet()).unstarted(task));
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (Descriptor d : missing) {
                futures.add(pool.submit(() -> {
                    download(d);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new RegistryException("pull " + ref.familiar() + ": " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("pull " + ref.familiar() + ": interrupted");
                }
            }
        } finally {
            // On failure the other downloads are not waited for: queued ones are cancelled, running
            // ones end on their own (their partial files stay for a later resume).
            futures.forEach(x -> x.cancel(true));
            pool.shutdownNow();
        }
        return List.copyOf(missing);
    }

    /**
     * One blob: stream it into a writer, retrying temporary failures with a Range request from what
     * arrived; verify and publish. A partial file from an earlier run is resumed; if it turns out not
     * to hash right, it is dropped and the blob fetched once more from the start.
     */
    private void download(Descriptor d) throws IOException {
        String action = "pull blob " + d.digest() + " of " + ref.familiar() + " from " + registry;
        for (int pass = 0; ; pass++) {
            BlobWriter w = store.newWriter(d.digest(), d.size());
            boolean resumed = w.offset() > 0;
            boolean keepPartial = false;
            try {
                listener.on(new PullEvent.Writing(d, w.path()));
                listener.on(new PullEvent.BlobStarted(d, w.offset()));
                fetchInto(d, w, action);
                try {
                    w.commit(d.mediaType());
                } catch (ImageException mismatch) {
                    if (resumed && pass == 0) continue; // the kept partial was bad: start over once
                    throw new RegistryException(action + ": " + mismatch.getMessage() + "; the download was discarded");
                }
                listener.on(new PullEvent.BlobDone(d));
                return;
            } catch (RegistryException e) {
                keepPartial = e.isTemporary();
                throw e;
            } finally {
                w.abort(keepPartial);
            }
        }
    }

    private void fetchInto(Descriptor d, BlobWriter w, String action) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (d.size() > 0 && w.offset() == d.size()) return; // an earlier run left it complete
            try {
                caller.call(new BlobGet(action, ref.path(), null, d, w, n -> listener.on(new PullEvent.BlobProgress(d, n))));
                return;
            } catch (RegistryException e) {
                if (e.status() == 404 && !d.urls().isEmpty() && MediaType.isNonDistributable(d.mediaType())) {
                    fetchForeign(d, w, action, e);
                    return;
                }
                if (!e.isTemporary() || attempt >= attempts) throw e;
                Duration delay = retryDelay.multipliedBy(1L << Math.min(attempt - 1, 6));
                listener.on(new PullEvent.Retrying(action, attempt, e.getMessage(), delay));
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(action + ": interrupted");
                }
            }
        }
    }

    /**
     * A non-distributable layer the registry does not hold, from its {@code urls} (image-spec
     * descriptor.md). Fetched without any credential: those hosts are not the registry
     * (containerd CVE-2020-15157). Only http(s) URLs are tried; the digest is verified as always.
     */
    private void fetchForeign(Descriptor d, BlobWriter w, String action, RegistryException notInRegistry) throws IOException {
        RegistryException last = notInRegistry;
        for (String u : d.urls()) {
            HttpUrl url = HttpUrl.parse(u);
            if (url == null) continue;
            try {
                foreignCaller.apply(url).call(new BlobGet(action + " (foreign URL " + url.host() + ")", ref.path(), url, d, w,
                        n -> listener.on(new PullEvent.BlobProgress(d, n))));
                return;
            } catch (RegistryException e) {
                last = e;
                w.restart();
            }
        }
        throw last;
    }
}
