package oci.image.store;

import static oci.image.ImageException.reason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import oci.image.BlobSource;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageConfig;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.Index;
import oci.image.ModelJson;
import oci.image.Manifest;
import oci.image.MediaType;
import oci.image.Platform;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The content store: a plain OCI image layout on disk, so skopeo, umoci and oci-image-tool read
 * what {@code oci} writes and the other way round.
 *
 * <p>Blobs become visible only complete and verified (temp file, then rename); index.json is
 * replaced atomically; changes to index.json and gc hold an exclusive lock on {@code .lock} so
 * several {@code oci} processes can share one store. Scratch files live in {@code .tmp/}.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">image-layout.md</a>
 */
public final class Store implements BlobSource {
    /** Cap for manifests, indexes and configs read into memory (a hostile registry cannot make us hold more). */
    public static final long MAX_JSON_BLOB = 16L << 20;
    /** Indexes may nest; a loop or an absurd depth is refused. */
    static final int MAX_INDEX_DEPTH = 8;
    private static final byte[] LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path root;

    private Store(Path root) {
        this.root = root;
    }

    /**
     * The default store location: {@code $OCI_STORE}; as root {@code /var/lib/oci/store}; otherwise
     * {@code $XDG_DATA_HOME/oci/store} (default {@code ~/.local/share/oci/store}).
     */
    public static Path defaultRoot() {
        String env = System.getenv("OCI_STORE");
        if (env != null && !env.isEmpty()) return Path.of(env);
        if ("root".equals(System.getProperty("user.name"))) return Path.of("/var/lib/oci/store");
        return oci.image.UserDirs.dataHome().resolve("oci").resolve("store");
    }

    /** Opens the layout at {@code root}, creating an empty one if the directory holds none. */
    public static Store open(Path root) {
        Store s = new Store(root.toAbsolutePath().normalize());
        try {
            Path layout = s.root.resolve("oci-layout");
            if (Files.exists(layout)) {
                String text = Files.readString(layout);
                if (!text.contains("\"imageLayoutVersion\"")) {
                    throw new ImageException("store " + s.root + ": oci-layout is not an OCI layout marker");
                }
                return s;
            }
            refuseForeignFiles(s.root);
            Files.createDirectories(s.root);
            s.locked(() -> {
                if (!Files.exists(layout)) {
                    Files.createDirectories(s.root.resolve("blobs"));
                    if (!Files.exists(s.root.resolve("index.json"))) s.writeIndex(Index.of(List.of()));
                    s.writeAtomically(layout, LAYOUT);
                }
                return null;
            });
            return s;
        } catch (IOException e) {
            throw new ImageException("open store " + s.root + ": " + reason(e), e);
        }
    }

    /** What a store being created holds before its oci-layout marker is written (the marker comes last). */
    private static final Set<String> OWN_FILES = Set.of("blobs", "index.json", ".lock", ".gc.lock", ".tmp");

    /**
     * A directory with other files is not made into a store: {@code --store ~} or a bundle
     * directory by mistake would get blobs/, index.json and oci-layout among its files.
     */
    private static void refuseForeignFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                if (!OWN_FILES.contains(p.getFileName().toString())) {
                    throw new ImageException("open store " + root + ": not an OCI image layout (no oci-layout file) and not empty ("
                            + p.getFileName() + "); give a new or empty directory, or an existing layout");
                }
            }
        }
    }

    public Path root() {
        return root;
    }

    public Path blobPath(Digest d) {
        return root.resolve("blobs").resolve(d.algorithm()).resolve(d.encoded());
    }

    public boolean hasBlob(Digest d) {
        return Files.isRegularFile(blobPath(d));
    }

    @Override
    public InputStream open(Digest d) throws IOException {
        try {
            return Files.newInputStream(blobPath(d));
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " is not in the store " + root);
        }
    }

    /** Reads a small blob (manifest, index, config) whole; refuses anything over {@link #MAX_JSON_BLOB}. */
    public byte[] readBlob(Digest d) {
        Path p = blobPath(d);
        try {
            long size = Files.size(p);
            if (size > MAX_JSON_BLOB) throw new ImageException("blob " + d + ": " + size + " bytes is too large for a manifest or config");
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " is not in the store " + root);
        } catch (IOException e) {
            throw new ImageException("read blob " + d + ": " + reason(e), e);
        }
    }

    /**
     * A writer for a blob of known digest and size ({@code size} may be -1 when unknown). Resumes a
     * partial file an earlier attempt left, unless another writer holds it; then it starts afresh in
     * a file of its own.
     */
    public BlobWriter newWriter(Digest expected, long size) throws IOException {
        Path tmp = tmpDir();
        Path partial = tmp.resolve("partial-" + expected.algorithm() + "-" + expected.encoded());
        try (FileChannel probe = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = null;
            try {
                lock = probe.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) partial = Files.createTempFile(tmp, "partial-", ".tmp");
            else lock.release();
        }
        return new BlobWriter(this, expected, size, partial);
    }

    /** Stores {@code in} as a blob, verifying it against {@code expected} and {@code size} (-1: unknown). */
    public Descriptor putBlob(String mediaType, InputStream in, Digest expected, long size) throws IOException {
        if (hasBlob(expected)) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return Descriptor.of(mediaType, expected, Files.size(blobPath(expected)));
        }
        BlobWriter w = newWriter(expected, size);
        try {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) w.write(buf, 0, n);
            return w.commit(mediaType);
        } catch (IOException | RuntimeException e) {
            w.abort(false);
            throw e;
        }
    }

    /** Stores bytes whose digest is computed here (sha256). */
    public Descriptor putBlob(String mediaType, byte[] bytes) {
        Digest d = Digest.sha256(bytes);
        try {
            if (!hasBlob(d)) {
                Path target = blobPath(d);
                Files.createDirectories(target.getParent());
                writeAtomically(target, bytes);
            }
        } catch (IOException e) {
            throw new ImageException("write blob " + d + ": " + reason(e), e);
        }
        return Descriptor.of(mediaType, d, bytes.length);
    }

    /** The layout's index.json. */
    public Index index() {
        try {
            return Index.parse(Files.readAllBytes(root.resolve("index.json")), root.resolve("index.json").toString());
        } catch (IOException e) {
            throw new ImageException("read " + root.resolve("index.json") + ": " + reason(e), e);
        }
    }

    /** Rewrites index.json under the store lock; {@code change} maps the old entries to the new. */
    public void updateIndex(UnaryOperator<List<Descriptor>> change) {
        locked(() -> {
            Index old = index();
            writeIndex(new Index(2, MediaType.OCI_INDEX, change.apply(new ArrayList<>(old.manifests())), old.annotations()));
            return null;
        });
    }

    /** Points {@code name} at {@code target} (an image manifest or index), replacing what it named before. */
    public void tag(Descriptor target, String name) {
        Map<String, String> ann = new HashMap<>(target.annotations());
        ann.put(Descriptor.REF_NAME, name);
        Descriptor entry = target.withAnnotations(ann);
        updateIndex(list -> {
            // a name given to an unnamed image replaces its <none> entry, as docker's tag does
            list.removeIf(d -> name.equals(d.refName()) || d.refName() == null && d.digest().equals(target.digest()));
            list.add(entry);
            return list;
        });
    }

    /** Removes the name; returns whether it existed. Blobs stay until {@link #gc}. */
    public boolean untag(String name) {
        boolean[] found = {false};
        updateIndex(list -> {
            found[0] = list.removeIf(d -> name.equals(d.refName()));
            return list;
        });
        return found[0];
    }

    /** The names in index.json mapped to what they point at, in index order. */
    public List<Descriptor> entries() {
        return index().manifests();
    }

    /**
     * The image ID, one per image wherever it is printed or accepted: the config digest of a
     * single-platform image (docker's image ID), the index digest of a multi-platform one. Null
     * when the manifest is not in the store.
     */
    public Digest imageId(Descriptor top) {
        if (!MediaType.isManifest(top.mediaType())) return top.digest();
        if (!hasBlob(top.digest())) return null;
        try {
            return Manifest.parse(readBlob(top.digest()), "manifest " + top.digest()).config().digest();
        } catch (ImageException damaged) {
            return null;
        }
    }

    /**
     * Finds the index.json entry a user means: an exact ref name, a reference normalised like
     * Docker's ({@code busybox} = {@code docker.io/library/busybox:latest}), or a digest or unique
     * hex prefix of an entry's digest or of its image ID ({@link #imageId}, what {@code oci images}
     * shows). Entries that share one ID are one image (the same config and layers); a prefix that
     * matches several IDs is refused with the matches listed.
     */
    public Descriptor resolve(String what) {
        List<Descriptor> entries = entries();
        for (Descriptor d : entries) if (what.equals(d.refName())) return d;
        String normalised = null;
        try {
            normalised = ImageRef.parse(what).toString();
        } catch (ImageException notAReference) {
            // fall through to digests
        }
        if (normalised != null) {
            for (Descriptor d : entries) if (normalised.equals(d.refName())) return d;
        }
        String hex = what.startsWith("sha256:") ? what.substring(7) : what;
        if (hex.length() >= 4 && hex.matches("[a-f0-9]+")) {
            // by ID (then by the entry's digest), the named entry first
            Map<Digest, Descriptor> byId = new java.util.LinkedHashMap<>();
            for (Descriptor d : entries) {
                Digest id = imageId(d);
                if (d.digest().encoded().startsWith(hex) || id != null && id.encoded().startsWith(hex)) {
                    Descriptor seen = byId.get(id != null ? id : d.digest());
                    if (seen == null || seen.refName() == null && d.refName() != null) byId.put(id != null ? id : d.digest(), d);
                }
            }
            if (byId.size() == 1) return byId.values().iterator().next();
            if (byId.size() > 1) {
                List<String> listed = new ArrayList<>();
                for (var e : byId.entrySet()) {
                    listed.add(e.getKey().encoded().substring(0, 12) + " (" + (e.getValue().refName() != null ? familiar(e.getValue().refName()) : "<none>") + ")");
                }
                throw new ImageException("image \"" + what + "\" is ambiguous: it matches " + String.join(", ", listed)
                        + "; give more of the ID");
            }
        }
        List<String> near = nearNames(what, entries);
        throw new ImageException("image \"" + what + "\" is not in the store " + root
                + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?")
                + " (pull it with `oci pull " + what + "` or import it with `oci import FILE`)");
    }

    /** The entry last named by a pull, an import or a tag (each appends its entry to index.json); null if none. */
    public Descriptor lastNamed() {
        List<Descriptor> entries = entries();
        return entries.isEmpty() ? null : entries.getLast();
    }

    /** Docker's short form of a stored name, {@code busybox:latest}; the name itself if it does not parse. */
    public static String familiar(String refName) {
        try {
            return ImageRef.parse(refName).familiar();
        } catch (ImageException e) {
            return refName;
        }
    }

    /**
     * Stored names close to what the user typed (a typo, or the right repository on another
     * registry: {@code busybox} for {@code 127.0.0.1:5000/busybox}), closest first, at most three.
     */
    static List<String> nearNames(String what, List<Descriptor> entries) {
        String q = what.toLowerCase(java.util.Locale.ROOT);
        String qRepo = q.replaceFirst("@.*$", "").replaceFirst(":[^:/]*$", "");
        String qLast = qRepo.substring(qRepo.lastIndexOf('/') + 1);
        Map<String, Integer> found = new HashMap<>();
        for (Descriptor d : entries) {
            if (d.refName() == null) continue;
            ImageRef r;
            try {
                r = ImageRef.parse(d.refName());
            } catch (ImageException e) {
                continue;
            }
            String fam = r.familiar();
            String repo = r.withDigest(null).familiar().replaceFirst(":[^:/]*$", "");
            String last = repo.substring(repo.lastIndexOf('/') + 1);
            int dist = Math.min(Math.min(distance(q, fam), distance(qRepo, repo)), distance(qLast, last));
            if (dist > Math.max(1, Math.min(qLast.length(), last.length()) / 3)) continue;
            String shown = "latest".equals(r.tag()) && r.digest() == null ? repo : fam;
            found.merge(shown, dist, Math::min);
        }
        return found.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(Map.Entry::getKey).toList();
    }

    /** Levenshtein distance: the near names of a missing image here, and the CLI's hint for a mistyped command. */
    public static int distance(String a, String b) {
        return LevenshteinDistance.getDefaultInstance().apply(a, b);
    }

    /** Resolves a name to one image, choosing from an index by {@code platform}. */
    public StoredImage image(String what, Platform platform) {
        Descriptor top = resolve(what);
        return image(top, platform, top.refName());
    }

    /**
     * As {@link #image(String, Platform)}; with {@code chosen} (the user named the platform) a
     * single-platform image must be for it, as {@code oci pull --platform} checks: an index is
     * chosen from, a lone image is not silently taken for another platform.
     */
    public StoredImage image(String what, Platform platform, boolean chosen) {
        StoredImage img = image(what, platform);
        Platform actual = img.config().platform();
        if (chosen && !MediaType.isIndex(resolve(what).mediaType()) && !platform.matches(actual)) {
            throw new ImageException("image " + (img.name() != null ? familiar(img.name()) : what) + " is for " + actual
                    + ", not the requested " + platform + " (it is a single-platform image, not an index)");
        }
        return img;
    }

    public StoredImage image(Descriptor top, Platform platform, String name) {
        Descriptor d = top;
        for (int depth = 0; MediaType.isIndex(d.mediaType()); depth++) {
            if (depth >= MAX_INDEX_DEPTH) throw new ImageException("index " + top.digest() + ": indexes nested deeper than " + MAX_INDEX_DEPTH);
            Index idx = Index.parse(readBlob(d.digest()), "index " + d.digest());
            d = idx.select(platform, "image " + (name != null ? name : top.digest()));
            if (!hasBlob(d.digest())) {
                String image = name != null ? name : top.digest().toString();
                String p = d.platform() != null ? d.platform().toString() : platform.toString();
                throw new ImageException("image " + image + ": platform " + p + " (manifest " + d.digest()
                        + ") is not in the store (pull it with `oci pull --platform " + p + " " + image + "`)");
            }
        }
        MediaType.requireManifestOrIndex(d.mediaType(), "manifest " + d.digest());
        Manifest m = Manifest.parse(readBlob(d.digest()), "manifest " + d.digest());
        ImageConfig c = ImageConfig.parse(readBlob(m.config().digest()), "config " + m.config().digest());
        if (c.diffIds().size() != m.layers().size()) {
            throw new ImageException("image " + (name != null ? name : d.digest()) + ": config lists " + c.diffIds().size()
                    + " diff_ids but the manifest has " + m.layers().size() + " layers");
        }
        return new StoredImage(name, d, m, c);
    }

    /** Every blob reachable from index.json (indexes, manifests, configs, layers present or not). */
    public Map<Digest, Descriptor> reachable() {
        Map<Digest, Descriptor> seen = new HashMap<>();
        for (Descriptor d : entries()) walk(d, seen, 0);
        return seen;
    }

    private void walk(Descriptor d, Map<Digest, Descriptor> seen, int depth) {
        if (seen.putIfAbsent(d.digest(), d) != null) return;
        if (depth > MAX_INDEX_DEPTH || !hasBlob(d.digest())) return;
        if (MediaType.isIndex(d.mediaType())) {
            for (Descriptor c : Index.parse(readBlob(d.digest()), "index " + d.digest()).manifests()) walk(c, seen, depth + 1);
        } else if (MediaType.isManifest(d.mediaType())) {
            Manifest m = Manifest.parse(readBlob(d.digest()), "manifest " + d.digest());
            seen.putIfAbsent(m.config().digest(), m.config());
            for (Descriptor l : m.layers()) seen.putIfAbsent(l.digest(), l);
        }
    }

    /**
     * Runs {@code action} with gc kept out of the store: a gc in this or another process waits until
     * it returns. For writers whose blobs stay unnamed until they finish (a pull publishes each blob
     * as it arrives and names the image last; gc in between would delete them). Writers do not
     * wait for each other: a shared lock on {@code .gc.lock}, which gc takes exclusively.
     */
    public <T> T keepingGcOut(IoAction<T> action) {
        GcGate g = GC_GATES.computeIfAbsent(realRoot(), k -> new GcGate());
        synchronized (g) {
            // the JVM allows one lock per file: this process's writers share one shared lock
            if (g.writers == 0) {
                try {
                    g.channel = FileChannel.open(root.resolve(".gc.lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    g.lock = g.channel.lock(0, Long.MAX_VALUE, true);
                } catch (IOException e) {
                    throw new ImageException("store " + root + ": " + reason(e), e);
                }
            }
            g.writers++;
        }
        try {
            return action.run();
        } catch (IOException e) {
            throw new ImageException("store " + root + ": " + reason(e), e);
        } finally {
            synchronized (g) {
                if (--g.writers == 0) {
                    try {
                        g.channel.close(); // releases the lock
                    } catch (IOException ignored) {
                        // the lock goes with the descriptor
                    }
                }
                g.notifyAll();
            }
        }
    }

    private static final Map<Path, GcGate> GC_GATES = new ConcurrentHashMap<>();

    private static final class GcGate {
        int writers;
        FileChannel channel;
        FileLock lock;
    }

    /**
     * Deletes blobs nothing in index.json reaches, and stale scratch files. Returns what was removed.
     * Waits for the writers inside {@link #keepingGcOut} in any process.
     */
    public GcResult gc() {
        return exclusive(this::collect);
    }

    /**
     * Runs {@code action} as gc runs: after the writers inside {@link #keepingGcOut} (in any
     * process) are done, and keeping new ones out until it returns. For collectors of other
     * things kept beside the blobs (the unpack snapshots).
     */
    public <T> T exclusive(IoAction<T> action) {
        GcGate g = GC_GATES.computeIfAbsent(realRoot(), k -> new GcGate());
        synchronized (g) {
            try {
                while (g.writers > 0) g.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("gc " + root + ": interrupted");
            }
            try (FileChannel ch = FileChannel.open(root.resolve(".gc.lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                return action.run();
            } catch (IOException e) {
                throw new ImageException("gc " + root + ": " + reason(e), e);
            }
        }
    }

    private GcResult collect() {
        return locked(() -> {
            Set<Digest> keep = reachable().keySet();
            List<Digest> removed = new ArrayList<>();
            long freed = 0;
            for (Path blob : allBlobFiles()) {
                Digest d = digestOf(blob);
                if (d == null || !keep.contains(d)) {
                    freed += Files.size(blob);
                    Files.delete(blob);
                    if (d != null) removed.add(d);
                }
            }
            freed += removeStaleScratch();
            return new GcResult(removed, freed);
        });
    }

    /** Scratch of an import or write killed before it cleaned up; a day old means nobody still writes it. */
    static final java.time.Duration STALE_SCRATCH = java.time.Duration.ofHours(24);

    /**
     * Deletes {@code .tmp/import-*} and {@code .tmp/write-*} older than {@link #STALE_SCRATCH}. Partial
     * downloads ({@code partial-*}) stay: they are what a resumed pull continues from.
     */
    private long removeStaleScratch() throws IOException {
        Path tmp = root.resolve(".tmp");
        if (!Files.isDirectory(tmp)) return 0;
        long freed = 0;
        java.time.Instant cutoff = java.time.Instant.now().minus(STALE_SCRATCH);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (!(n.startsWith("import-") || n.startsWith("write-"))) continue;
                if (Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(cutoff)) continue;
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(p)) {
                        for (Path f : files) {
                            freed += Files.size(f);
                            Files.delete(f);
                        }
                    }
                } else {
                    freed += Files.size(p);
                }
                Files.delete(p);
            }
        }
        return freed;
    }

    public record GcResult(List<Digest> removed, long bytesFreed) {}

    /** A blob that failed verification. */
    public record Problem(Digest digest, String message) {}

    /**
     * Verifies every blob: its content hashes to its file name, referenced blobs exist and have the
     * size their descriptors state, and manifests and configs parse.
     */
    public List<Problem> fsck() {
        List<Problem> problems = new ArrayList<>();
        Map<Digest, Descriptor> refs = reachable();
        try {
            for (Path blob : allBlobFiles()) {
                Digest name = digestOf(blob);
                if (name == null) {
                    problems.add(new Problem(null, "stray file " + root.relativize(blob) + " is not named by a digest"));
                    continue;
                }
                var hasher = name.hasher();
                long size = 0;
                try (InputStream in = Files.newInputStream(blob)) {
                    byte[] buf = new byte[1 << 20];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        hasher.update(buf, 0, n);
                        size += n;
                    }
                }
                Digest actual = Digest.of(name.algorithm(), hasher.digest());
                if (!actual.equals(name)) problems.add(new Problem(name, "content hashes to " + actual));
                Descriptor ref = refs.get(name);
                if (ref != null && ref.size() != size) {
                    problems.add(new Problem(name, "size is " + size + " bytes, descriptor says " + ref.size()));
                }
            }
        } catch (IOException e) {
            throw new ImageException("fsck " + root + ": " + reason(e), e);
        }
        Set<Digest> notPulled = platformsNotPulled(refs);
        for (Descriptor d : refs.values()) {
            boolean foreign = MediaType.isNonDistributable(d.mediaType()) && !d.urls().isEmpty();
            if (!hasBlob(d.digest()) && !foreign && !notPulled.contains(d.digest())) {
                problems.add(new Problem(d.digest(), "referenced but missing"));
            }
        }
        for (Descriptor d : entries()) {
            try {
                walkParse(d, 0);
            } catch (ImageException e) {
                problems.add(new Problem(d.digest(), e.getMessage()));
            }
        }
        return problems;
    }

    /**
     * Manifests an index lists that are absent: a pull takes only the platforms asked for (as skopeo
     * and containerd do; image-layout.md lets blobs be missing), so these are not damage.
     */
    private Set<Digest> platformsNotPulled(Map<Digest, Descriptor> refs) {
        Set<Digest> top = new java.util.HashSet<>();
        for (Descriptor d : entries()) top.add(d.digest());
        Set<Digest> out = new java.util.HashSet<>();
        for (Descriptor d : refs.values()) {
            if (!MediaType.isIndex(d.mediaType()) || !hasBlob(d.digest())) continue;
            for (Descriptor c : Index.parse(readBlob(d.digest()), "index " + d.digest()).manifests()) {
                if (!hasBlob(c.digest()) && !top.contains(c.digest())) out.add(c.digest());
            }
        }
        return out;
    }

    private void walkParse(Descriptor d, int depth) {
        if (!hasBlob(d.digest()) || depth > MAX_INDEX_DEPTH) return;
        if (MediaType.isIndex(d.mediaType())) {
            for (Descriptor c : Index.parse(readBlob(d.digest()), "index " + d.digest()).manifests()) walkParse(c, depth + 1);
        } else if (MediaType.isManifest(d.mediaType())) {
            Manifest m = Manifest.parse(readBlob(d.digest()), "manifest " + d.digest());
            if (hasBlob(m.config().digest()) && MediaType.isConfig(m.config().mediaType())) {
                ImageConfig.parse(readBlob(m.config().digest()), "config " + m.config().digest());
            }
        }
    }

    private List<Path> allBlobFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        Path blobs = root.resolve("blobs");
        if (!Files.isDirectory(blobs)) return out;
        try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
            for (Path alg : algs) {
                if (!Files.isDirectory(alg)) continue;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                    for (Path f : files) if (Files.isRegularFile(f)) out.add(f);
                }
            }
        }
        return out;
    }

    private static Digest digestOf(Path blob) {
        try {
            return new Digest(blob.getParent().getFileName().toString(), blob.getFileName().toString());
        } catch (ImageException e) {
            return null;
        }
    }

    /** Scratch space inside the store (same file system, so renames into blobs/ are atomic). */
    public Path tmpDir() throws IOException {
        Path tmp = root.resolve(".tmp");
        Files.createDirectories(tmp);
        return tmp;
    }

    /** Runs {@code action} holding the store's exclusive lock (threads of this JVM and other processes). */
    public <T> T locked(IoAction<T> action) {
        // Keyed by the real path: the JVM allows one FileLock per file, however the store was reached
        // (a symlinked --store would otherwise get OverlappingFileLockException instead of waiting).
        ReentrantLock inProcess = IN_PROCESS_LOCKS.computeIfAbsent(realRoot(), k -> new ReentrantLock());
        if (inProcess.isHeldByCurrentThread()) {
            // Nested call (e.g. updateIndex inside an import's commit): this thread holds the file lock already;
            // locking the file again from this JVM would throw OverlappingFileLockException.
            try {
                return action.run();
            } catch (IOException e) {
                throw new ImageException("store " + root + ": " + reason(e), e);
            }
        }
        inProcess.lock();
        try (FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            return action.run();
        } catch (IOException e) {
            throw new ImageException("store " + root + ": " + reason(e), e);
        } finally {
            inProcess.unlock();
        }
    }

    private Path realRoot() {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }

    @FunctionalInterface
    public interface IoAction<T> {
        T run() throws IOException;
    }

    private void writeIndex(Index index) throws IOException {
        writeAtomically(root.resolve("index.json"), ModelJson.write(index));
    }

    /** Writes {@code bytes} to a temp file beside {@code target}, syncs, then renames over it. */
    public void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = newScratchFile("write-");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(false);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file in the scratch directory, readable by all like the blobs (other tools, and
     * other users' skopeo, read the layout). Named from a plain random number, not
     * Files.createTempFile's SecureRandom: seeding that costs a short command tens of milliseconds,
     * and the name needs no secrecy (CREATE_NEW never follows or reuses an existing file).
     */
    private Path newScratchFile(String prefix) throws IOException {
        Path dir = tmpDir();
        var readable = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        while (true) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(p, readable);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another writer's name: draw again
            }
        }
    }

    /** Discards bytes (used to drain a stream whose blob is already stored). */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

}
