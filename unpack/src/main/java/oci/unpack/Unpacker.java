package oci.unpack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import oci.image.BlobSource;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ExitCleanup;
import oci.image.ImageException;
import oci.image.MediaType;
import oci.image.store.StoredImage;
import oci.linux.ErrnoException;
import oci.linux.FileCalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Writes root file systems: an image's layers applied in order, or one tar stream.
 *
 * <p>Everything is written into a temporary directory beside the target and renamed into place at
 * the end, so a failure, a refused layer or Ctrl-C never leaves a half-filled target, and an
 * existing target is replaced (with {@code force}) in one rename.
 */
public final class Unpacker {
    private Unpacker() {}

    /** Applies image's layers (read through blobs) into target, atomically (temp dir beside target, rename). */
    public static Rootfs unpack(BlobSource blobs, StoredImage image, Path target, UnpackOptions options) throws IOException {
        check(image);
        List<Descriptor> layers = image.manifest().layers();
        List<Digest> diffIds = image.config().diffIds();
        return run(target, options, (applier, total) -> {
            List<Digest> applied = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                applied.add(applyLayer(applier, blobs, layers.get(i), diffIds.get(i), i, layers.size(), total, options));
            }
            return applied;
        });
    }

    /** Checks what {@link #unpack} checks before it writes anything: as many diff_ids as layers, known media types. */
    static void check(StoredImage image) {
        List<Descriptor> layers = image.manifest().layers();
        List<Digest> diffIds = image.config().diffIds();
        String name = image.name() != null ? image.name() : image.manifestDescriptor().digest().toString();
        if (layers.size() != diffIds.size()) {
            throw new UnpackException("unpack image " + name + ": the config lists " + diffIds.size()
                    + " diff_ids for " + layers.size() + " layers");
        }
        for (Descriptor d : layers) {
            try {
                MediaType.layerCompression(d.mediaType());
            } catch (ImageException e) {
                throw new UnpackException("unpack layer " + d.digest() + ": " + e.getMessage());
            }
        }
    }

    /** Applies layer {@code i} of {@code count} (blob {@code d}) and checks its uncompressed digest against {@code diffId}. */
    static Digest applyLayer(Applier applier, BlobSource blobs, Descriptor d, Digest diffId, int i, int count, AtomicLong total,
            UnpackOptions options) throws IOException {
        String what = "unpack layer " + d.digest();
        options.listener().accept(new UnpackEvent.LayerStarted(i, count, d.digest(), d.size()));
        long before = applier.bytes(), entriesBefore = applier.entries();
        InputStream blob;
        try {
            blob = blobs.open(d.digest());
        } catch (ImageException e) {
            throw new UnpackException(what + ": " + e.getMessage(), e);
        }
        try (LayerStream ls = new LayerStream(blob, d.digest(), d.size(), total, options.maxBytes())) {
            applyTar(applier, ls, what);
            Digest got = finish(ls, what);
            if (!got.equals(diffId)) {
                throw new UnpackException(what + ": the uncompressed layer has digest " + got
                        + " but the config's diff_id is " + diffId);
            }
            options.listener().accept(new UnpackEvent.LayerApplied(i, got, applier.entries() - entriesBefore,
                    applier.bytes() - before));
            return got;
        }
    }

    /** Applies one tar stream (plain, gzip or zstd, detected by magic; e.g. a `docker export` rootfs tarball) into target, atomically. */
    public static Rootfs unpackTar(InputStream tar, Path target, UnpackOptions options) throws IOException {
        return run(target, options, (applier, total) -> {
            String what = "unpack tar stream";
            options.listener().accept(new UnpackEvent.LayerStarted(0, 1, null, -1));
            try (LayerStream ls = new LayerStream(tar, null, -1, total, options.maxBytes())) {
                applyTar(applier, ls, what);
                Digest got = finish(ls, what);
                options.listener().accept(new UnpackEvent.LayerApplied(0, got, applier.entries(), applier.bytes()));
                return List.of(got);
            }
        });
    }

    private interface Body {
        List<Digest> apply(Applier applier, AtomicLong total) throws IOException;
    }

    static Digest finish(LayerStream ls, String what) throws IOException {
        try {
            return ls.finish();
        } catch (UnpackException e) {
            throw new UnpackException(what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UnpackException(what + ": " + LayerStream.describe(e), e);
        }
    }

    static void applyTar(Applier applier, LayerStream in, String what) throws IOException {
        applier.startLayer();
        TarReader tar = new TarReader(in);
        while (true) {
            TarArchiveEntry e;
            try {
                e = tar.getNextEntry();
            } catch (UnpackException ex) {
                throw new UnpackException(what + ": " + ex.getMessage(), ex);
            } catch (IOException | IllegalArgumentException ex) {
                String m = ex instanceof IOException io ? LayerStream.describe(io) : String.valueOf(ex.getMessage());
                throw new UnpackException(what + ": read tar: " + m, ex);
            }
            if (e == null) break;
            if (Cancel.requested()) throw new UnpackException(what + ": interrupted");
            try {
                applier.apply(e, tar, tar.pax());
            } catch (Snapshots.NotLayerable ex) {
                throw new Snapshots.NotLayerable("entry \"" + FileCalls.shown(e.getName()) + "\": " + ex.getMessage());
            } catch (UnpackException ex) {
                throw new UnpackException(what + ": entry \"" + FileCalls.shown(e.getName()) + "\": " + ex.getMessage(), ex);
            } catch (IOException ex) {
                throw new UnpackException(what + ": entry \"" + FileCalls.shown(e.getName()) + "\": " + LayerStream.describe(ex), ex);
            }
        }
        if (!tar.sawEnd()) throw new UnpackException(what + ": truncated: the tar ends without its end-of-archive blocks");
    }

    private static Rootfs run(Path target, UnpackOptions options, Body body) throws IOException {
        FileCalls fs = FileCalls.system();
        Path dest = target.toAbsolutePath().normalize();
        if (dest.getParent() == null) throw new UnpackException("unpack into " + dest + ": cannot replace the root directory");
        boolean exists = Files.exists(dest, LinkOption.NOFOLLOW_LINKS);
        if (exists && !options.force()) {
            throw new UnpackException("unpack into " + dest + ": it already exists (use --force to replace it)");
        }
        Path tmp;
        try {
            Files.createDirectories(dest.getParent());
            tmp = Files.createTempDirectory(dest.getParent(), "." + dest.getFileName() + ".unpack-");
        } catch (IOException e) {
            throw new UnpackException("unpack into " + dest + ": " + ImageException.reason(e), e);
        }
        boolean rootless = options.rootless() || fs.geteuid() != 0;
        ExitCleanup onExit = new ExitCleanup("oci-unpack-cleanup", Cancel.on(Thread.currentThread()));
        boolean published = false;
        try {
            int rootFd = fs.openat(FileCalls.AT_FDCWD, tmp.toString(),
                    FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC, 0);
            Applier applier = new Applier(rootFd, options, rootless);
            List<Digest> diffIds;
            try {
                fs.fchmod(rootFd, 0755);
                diffIds = body.apply(applier, new AtomicLong());
                applier.finishDirectories();
            } finally {
                applier.close();
                fs.close(rootFd);
            }
            if (applier.devicesSkipped() > 0) {
                options.listener().accept(new UnpackEvent.Warning("skipped " + applier.devicesSkipped()
                        + " device node" + (applier.devicesSkipped() == 1 ? "" : "s") + ": creating devices needs root"));
            }
            if (applier.xattrsSkipped() > 0) {
                options.listener().accept(new UnpackEvent.Warning("skipped " + applier.xattrsSkipped()
                        + " security.*/trusted.* xattr" + (applier.xattrsSkipped() == 1 ? "" : "s") + ": setting them needs root"));
            }
            if (Cancel.requested()) throw new UnpackException("unpack into " + dest + ": interrupted");
            publish(fs, tmp, dest, exists);
            published = true;
            return new Rootfs(dest, diffIds, applier.entries(), applier.bytes(), applier.devicesSkipped());
        } catch (ErrnoException e) {
            throw new UnpackException("unpack into " + dest + ": " + e.getMessage(), e);
        } finally {
            if (!published) {
                try {
                    Tree.removeAll(fs, FileCalls.AT_FDCWD, tmp.toString());
                } catch (IOException ignored) {
                    // the original failure is what the user needs to see
                }
            }
            onExit.close();
        }
    }

    /** Moves the finished tree into place: a plain rename, or an exchange with the old target, which then goes. */
    private static void publish(FileCalls fs, Path tmp, Path dest, boolean existed) throws IOException {
        if (!existed) {
            fs.renameat2(FileCalls.AT_FDCWD, tmp.toString(), FileCalls.AT_FDCWD, dest.toString(), FileCalls.RENAME_NOREPLACE);
            return;
        }
        fs.renameat2(FileCalls.AT_FDCWD, tmp.toString(), FileCalls.AT_FDCWD, dest.toString(), FileCalls.RENAME_EXCHANGE);
        Tree.removeAll(fs, FileCalls.AT_FDCWD, tmp.toString()); // now the old tree
    }

    /** Set by the shutdown hook (Ctrl-C): the unpack stops at the next entry and removes its temporary tree. */
    static final class Cancel {
        private static volatile boolean requested;

        static void request() {
            requested = true;
        }

        /**
         * What Ctrl-C does to the unpack running on {@code worker}: asks it to stop at its next entry,
         * and wakes it where it waits for a layer's next bytes (a download that stalls would otherwise
         * keep it, and its temporary tree, until the JVM gives up on its shutdown hooks).
         */
        static Runnable on(Thread worker) {
            return () -> {
                requested = true;
                worker.interrupt();
            };
        }

        static boolean requested() {
            return requested;
        }
    }
}
