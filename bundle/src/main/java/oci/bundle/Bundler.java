package oci.bundle;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.io.InputStream;
import oci.bundle.spec.RuntimeSpec;
import oci.image.ExitCleanup;
import oci.image.ImageConfig;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import java.util.function.Consumer;
import oci.image.BlobSource;
import oci.unpack.Snapshots;
import oci.unpack.UnpackEvent;
import oci.unpack.UnpackException;
import oci.unpack.UnpackOptions;
import oci.unpack.Unpacker;

/**
 * Makes an OCI runtime bundle (runtime-spec bundle.md): {@code DIR/rootfs} from a {@link
 * RootfsSource}, {@code DIR/config.json} from the image config and options, and one directory
 * under {@code DIR/volumes/} per anonymous volume. Either the whole bundle appears or, on failure,
 * everything this run created is removed again.
 */
public final class Bundler {
    private Bundler() {}

    /** Fills a directory that does not exist yet with the container's root filesystem. */
    @FunctionalInterface
    public interface RootfsSource {
        void unpackInto(Path target) throws IOException;
    }

    /**
     * A rootfs that is an overlay mount: the image's layer snapshots (bottom first, read-only, the
     * store's) below the bundle's own {@code .overlay/upper} and {@code .overlay/work}.
     */
    public record OverlayRootfs(List<Path> lowers) implements RootfsSource {
        @Override
        public void unpackInto(Path target) {
            throw new IllegalStateException("an overlay rootfs is mounted, not unpacked");
        }
    }

    /** How the rootfs of a bundle from an image is made: containerd's snapshotter names. */
    public enum Snapshotter {
        /** The store's layer snapshots, overlay-mounted: each layer is unpacked once for all bundles. */
        OVERLAYFS,
        /** A full unpack of every layer into the bundle (no mount). */
        NATIVE
    }

    /** The directory beside rootfs that holds an overlay rootfs's upper and work directories. */
    public static final String OVERLAY_DIR = ".overlay";

    /**
     * Bundles {@code image} with the rootfs {@code snapshotter} says. With OVERLAYFS the missing
     * snapshots are made first (layers read through {@code blobs}, which may still be arriving);
     * where overlay cannot be used here, says why through {@code listener} (one warning) and unpacks
     * in full.
     */
    public static Bundle fromImage(Store store, BlobSource blobs, StoredImage image, Path dir, boolean force,
            BundleOptions options, Snapshotter snapshotter, Consumer<UnpackEvent> listener) throws IOException {
        UnpackOptions u = UnpackOptions.defaults().withRootless(options.rootless).withListener(listener);
        String name = image.name() != null ? image.name() : image.manifestDescriptor().digest().toString();
        RootfsSource source = null;
        if (snapshotter == Snapshotter.OVERLAYFS) {
            String why = Snapshots.unavailable(u);
            if (why == null) {
                try {
                    Snapshots snaps = Snapshots.of(store);
                    List<Path> ready = snaps.existing(image);
                    List<Path> lowers = ready != null ? ready : store.keepingGcOut(() -> snaps.prepare(blobs, image, u));
                    source = new OverlayRootfs(lowers);
                } catch (Snapshots.NotLayerable e) {
                    why = e.getMessage();
                }
            }
            if (why != null) listener.accept(new UnpackEvent.Warning("overlay not used (" + why + "): unpacking the image in full"));
        }
        if (source == null) source = target -> Unpacker.unpack(blobs, image, target, u);
        try {
            return create(dir, force, source, image.config(), name, options, ConfigGenerator.Host.current());
        } catch (OverlayRefused e) {
            listener.accept(new UnpackEvent.Warning("overlay not used (" + e.getMessage() + "): unpacking the image in full"));
            return create(dir, force, target -> Unpacker.unpack(blobs, image, target, u), image.config(), name, options,
                    ConfigGenerator.Host.current());
        }
    }

    /** The kernel refused the bundle's overlay mount (before anything of the bundle was replaced). */
    private static final class OverlayRefused extends BundleException {
        OverlayRefused(String message) {
            super(message);
        }
    }

    /**
     * Removes a bundle: unmounts an overlay rootfs, then deletes the directory (never crossing into
     * another mount). A directory with neither config.json nor rootfs is refused.
     */
    public static void remove(Path dir) throws IOException {
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new BundleException("remove bundle " + dir + ": no such directory");
        if (!Files.exists(dir.resolve(ConfigFile.NAME), LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS)) {
            throw new BundleException("remove bundle " + dir + ": not a bundle (no config.json, no rootfs)");
        }
        try {
            Snapshots.unmount(dir.resolve("rootfs"));
            Snapshots.removeTree(dir);
        } catch (UnpackException e) {
            throw new BundleException("remove bundle " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Bundles {@code image} from the store: its layers unpacked by {@link Unpacker} into
     * {@code DIR/rootfs}, its config converted.
     */
    public static Bundle fromImage(Store store, StoredImage image, Path dir, boolean force, BundleOptions options) throws IOException {
        UnpackOptions u = UnpackOptions.defaults().withRootless(options.rootless);
        String name = image.name() != null ? image.name() : image.manifestDescriptor().digest().toString();
        return create(dir, force, target -> Unpacker.unpack(store, image, target, u), image.config(), name, options,
                ConfigGenerator.Host.current());
    }

    /**
     * Bundles a plain rootfs tarball (e.g. {@code docker export}, plain, gzip or zstd) that has no
     * image config: the command must come from the options.
     */
    public static Bundle fromRootfsTar(Path tar, Path dir, boolean force, BundleOptions options) throws IOException {
        if (!Files.isRegularFile(tar)) throw new BundleException("rootfs tarball " + tar + ": no such file");
        UnpackOptions u = UnpackOptions.defaults().withRootless(options.rootless);
        return create(dir, force, target -> {
            try (InputStream in = Files.newInputStream(tar)) {
                Unpacker.unpackTar(in, target, u);
            } catch (UnpackException e) {
                // the unpack knows only a stream: say which file it was
                throw new BundleException("rootfs tarball " + tar + ": " + e.getMessage());
            }
        }, null, null, options, ConfigGenerator.Host.current());
    }

    /** What was made. */
    public record Bundle(Path dir, Path rootfs, Path config, List<Path> volumes) {}

    /**
     * Creates the bundle in {@code dir}. A {@code dir} that exists and is not empty is refused
     * unless {@code force}; then its rootfs, volumes and config.json are replaced (other files stay).
     *
     * @param image the image config; null when there is none (a plain rootfs tarball)
     * @param imageName the name the user gave, for messages and the default hostname
     */
    public static Bundle create(Path dir, boolean force, RootfsSource source, ImageConfig image, String imageName,
            BundleOptions options, ConfigGenerator.Host host) throws IOException {
        ConfigGenerator.check(options); // bad options are refused before anything is written
        dir = dir.toAbsolutePath().normalize();
        boolean createdDir = false;
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir)) throw new BundleException("bundle directory " + dir + ": exists and is not a directory");
            if (!force && !isEmpty(dir)) {
                throw new BundleException("bundle directory " + dir + " is not empty (use --force to replace its rootfs and config.json)");
            }
        } else {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) throw new BundleException("bundle directory " + dir + ": parent directory " + parent + " does not exist");
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException raced) {
                throw new BundleException("bundle directory " + dir + ": created by someone else meanwhile");
            }
            createdDir = true;
        }
        Path rootfs = dir.resolve("rootfs");
        Path config = dir.resolve(ConfigFile.NAME);
        Path volumesDir = dir.resolve(ConfigGenerator.VOLUMES_DIR);
        Path overlayDir = dir.resolve(OVERLAY_DIR);
        // build beside the final names, then rename into place: a failure leaves the old bundle (or nothing)
        Path newRootfs = dir.resolve(".rootfs-new");
        Path newVolumes = dir.resolve(".volumes-new");
        Path newOverlay = dir.resolve(".overlay-new");
        Snapshots.unmount(newRootfs); // left mounted by a killed run
        deleteTree(newRootfs);
        deleteTree(newVolumes);
        deleteTree(newOverlay);
        OverlayRootfs overlay = source instanceof OverlayRootfs o ? o : null;
        boolean newMounted = false;
        boolean done = false;
        // Ctrl-C: the JVM exits once its shutdown hooks return; this one waits for the cleanup below
        // (the unpack stops at its next entry), so a directory this run created does not stay behind
        ExitCleanup onExit = new ExitCleanup("oci-bundle-cleanup", () -> {});
        Thread warmUp = takeWarmUp();
        try {
            if (overlay != null) {
                Files.createDirectories(newOverlay.resolve("upper"));
                Files.createDirectories(newOverlay.resolve("work"));
                Files.createDirectory(newRootfs);
                Snapshots.initUpper(overlay.lowers().getLast(), newOverlay.resolve("upper"));
                try {
                    Snapshots.mountOverlay(overlay.lowers(), newOverlay.resolve("upper"), newOverlay.resolve("work"), newRootfs);
                } catch (UnpackException e) {
                    throw new OverlayRefused(e.getMessage());
                }
                newMounted = true;
            } else {
                source.unpackInto(newRootfs);
            }
            try {
                warmUp.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BundleException("bundle " + dir + ": interrupted");
            }
            if (!Files.isDirectory(newRootfs, LinkOption.NOFOLLOW_LINKS)) throw new BundleException("unpack into " + newRootfs + ": no rootfs was made");
            ConfigGenerator.Result r = ConfigGenerator.generate(image, imageName, newRootfs, options, host);
            List<Path> volumes = new ArrayList<>();
            for (ConfigGenerator.Volume v : r.volumes()) {
                Path vd = newVolumes.resolve(v.dir().substring(ConfigGenerator.VOLUMES_DIR.length() + 1));
                Files.createDirectories(vd.getParent());
                seedVolume(newRootfs, v.destination(), vd);
                volumes.add(volumesDir.resolve(vd.getFileName()));
            }
            byte[] json = ConfigFile.toBytes(r.spec());
            // the point of no return: swap the new parts in (a mount point cannot be renamed: the
            // old rootfs is unmounted first, the new one mounted again at its final place)
            Path oldRootfs = dir.resolve(".rootfs-old");
            Path oldVolumes = dir.resolve(".volumes-old");
            Path oldOverlay = dir.resolve(".overlay-old");
            if (newMounted) {
                Snapshots.unmount(newRootfs);
                newMounted = false;
            }
            if (Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS)) {
                Snapshots.unmount(rootfs);
                Files.move(rootfs, oldRootfs, StandardCopyOption.ATOMIC_MOVE);
            }
            if (Files.exists(volumesDir, LinkOption.NOFOLLOW_LINKS)) Files.move(volumesDir, oldVolumes, StandardCopyOption.ATOMIC_MOVE);
            if (Files.exists(overlayDir, LinkOption.NOFOLLOW_LINKS)) Files.move(overlayDir, oldOverlay, StandardCopyOption.ATOMIC_MOVE);
            Files.move(newRootfs, rootfs, StandardCopyOption.ATOMIC_MOVE);
            if (overlay != null) {
                Files.move(newOverlay, overlayDir, StandardCopyOption.ATOMIC_MOVE);
                Snapshots.mountOverlay(overlay.lowers(), overlayDir.resolve("upper"), overlayDir.resolve("work"), rootfs);
            }
            if (Files.exists(newVolumes)) Files.move(newVolumes, volumesDir, StandardCopyOption.ATOMIC_MOVE);
            ConfigFile.writeAtomically(config, json);
            done = true;
            Snapshots.removeTree(oldRootfs);
            deleteTree(oldVolumes);
            Snapshots.removeTree(oldOverlay);
            return new Bundle(dir, rootfs, config, volumes);
        } finally {
            try {
                if (!done) {
                    if (newMounted) Snapshots.unmount(newRootfs);
                    Snapshots.removeTree(newRootfs);
                    deleteTree(newVolumes);
                    Snapshots.removeTree(newOverlay);
                    if (createdDir) {
                        Snapshots.unmount(dir.resolve("rootfs"));
                        Snapshots.removeTree(dir);
                    }
                }
            } finally {
                onExit.close();
            }
        }
    }

    private static Thread warmUp;

    /**
     * Starts, on another core, the class loading and linking a bundle needs (the config model's JSON
     * serialisation, ~100 ms; the libc bindings; the host's user), so that it overlaps what the
     * caller does first: reading the image from the store, or unpacking its layers. The second
     * bundle of an image is little more than those first uses. {@link #create} waits for it.
     */
    public static synchronized void warmUpAhead() {
        if (warmUp == null) warmUp = Thread.ofPlatform().daemon().name("oci-bundle-warm-up").start(Bundler::warmUp);
    }

    private static synchronized Thread takeWarmUp() {
        warmUpAhead();
        Thread t = warmUp;
        warmUp = null;
        return t;
    }

    private static void warmUp() {
        try {
            Snapshots.unavailable(UnpackOptions.defaults()); // the libc bindings' stubs are spun on first use
            ConfigGenerator.Host.current();
        } catch (RuntimeException ignored) {
            // only a warm-up
        }
        try {
            RuntimeSpec spec = Defaults.runcSpec(false, 0, 0);
            spec.linux.seccomp = SeccompProfiles.defaultProfile("amd64", Capabilities.CONTAINER_DEFAULT);
            ConfigFile.toBytes(spec);
        } catch (RuntimeException ignored) {
            // only a warm-up: the real generation reports any problem
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * An anonymous volume starts as a copy of what the image has at its destination (as docker
     * does), with the same owner and mode, so a non-root user can still write where the image let it.
     */
    private static void seedVolume(Path rootfs, String destination, Path volume) throws IOException {
        Path inImage = RootfsPaths.resolve(rootfs, destination);
        if (!Files.isDirectory(inImage, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(volume);
            return;
        }
        boolean root = ConfigGenerator.Host.current().uid() == 0;
        Files.walkFileTree(inImage, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path t = volume.resolve(inImage.relativize(d).toString());
                Files.copy(d, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(t, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path t = volume.resolve(inImage.relativize(f).toString());
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    Files.copy(f, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                    if (root) copyOwner(f, t);
                } // devices, fifos, sockets are not seeded
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Path t = volume.resolve(inImage.relativize(d).toString());
                Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS));
                if (root) copyOwner(d, t);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyOwner(Path from, Path to) throws IOException {
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
    }

    /** Removes a tree without following symlinks; directories without write permission are opened up first. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                try {
                    Files.setPosixFilePermissions(d, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
                } catch (IOException notOurs) {
                    // deletion below reports what cannot be removed
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                try {
                    Files.delete(d);
                } catch (DirectoryNotEmptyException raced) {
                    deleteTree(d);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
