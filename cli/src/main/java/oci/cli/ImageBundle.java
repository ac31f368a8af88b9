package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import oci.bundle.BundleOptions;
import oci.bundle.Bundler;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.registry.PullOptions;
import oci.registry.RegistryClient;
import oci.registry.StreamingPull;
import oci.unpack.UnpackEvent;

/**
 * The image side of {@code oci bundle IMAGE}: the image from the store, or pulled while it is
 * unpacked (the pull policy says which, as podman's {@code --pull}), and the rootfs from the store's
 * layer snapshots or a full unpack (the snapshotter, as containerd names them).
 */
final class ImageBundle {
    private ImageBundle() {}

    enum PullPolicy { ALWAYS, MISSING, NEVER }

    static PullPolicy pullPolicy(String s) {
        return switch (s == null ? "missing" : s.toLowerCase(Locale.ROOT)) {
            case "always" -> PullPolicy.ALWAYS;
            case "missing" -> PullPolicy.MISSING;
            case "never" -> PullPolicy.NEVER;
            default -> throw new OciException("bundle: --pull must be always, missing or never, not \"" + s + "\"", Main.EXIT_USAGE);
        };
    }

    static Bundler.Snapshotter snapshotter(String s) {
        return switch (s == null ? "overlayfs" : s.toLowerCase(Locale.ROOT)) {
            case "overlayfs", "overlay" -> Bundler.Snapshotter.OVERLAYFS;
            case "native" -> Bundler.Snapshotter.NATIVE;
            default -> throw new OciException("bundle: --snapshotter must be overlayfs or native, not \"" + s + "\"", Main.EXIT_USAGE);
        };
    }

    /**
     * Bundles {@code image} into {@code dir}. Progress (download and unpack, when it pulls) and
     * warnings go to {@code err}; the bundle appears only when every layer was verified. With
     * {@code platform} (the user's --platform) a single-platform image must be for it; {@code
     * check} sees the image, stored or being pulled, before anything is unpacked.
     */
    static Bundler.Bundle bundle(Store store, RegistryOptions registry, PullPolicy pull, Bundler.Snapshotter snapshotter,
            Platform platform, String image, Path dir, boolean force, BundleOptions o, PrintWriter err,
            Consumer<StoredImage> check) throws IOException {
        Consumer<UnpackEvent> warnings = e -> {
            if (e instanceof UnpackEvent.Warning w) {
                err.println("oci: warning: " + w.message());
                err.flush();
            }
        };
        Bundler.warmUpAhead(); // on another core while the image is read (or pulled)
        Platform p = platform != null ? platform : Platform.host();
        ImageException missing = null;
        if (pull != PullPolicy.ALWAYS) {
            try {
                StoredImage img = store.image(image, p, platform != null);
                check.accept(img);
                return Bundler.fromImage(store, store, img, dir, force, o, snapshotter, warnings);
            } catch (ImageException e) {
                if (pull == PullPolicy.NEVER || !notInStore(e)) throw e;
                missing = e;
            }
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(image);
        } catch (ImageException notAReference) {
            throw missing != null ? missing : notAReference;
        }
        try {
            return pull(store, registry, platform, ref, dir, force, o, snapshotter, err, warnings, check);
        } catch (IOException | ImageException e) {
            // the name was no image of this store's and the registry had none either: the stored names
            // near it are still what the user most likely meant (a podman user types `busybox` for a local one)
            String hint = missing == null ? null : nearHint(missing.getMessage());
            if (hint == null) throw e;
            String why = e instanceof IOException io ? ImageException.reason(io) : e.getMessage();
            throw new ImageException(why + hint, e);
        }
    }

    private static Bundler.Bundle pull(Store store, RegistryOptions registry, Platform platform, ImageRef ref, Path dir, boolean force,
            BundleOptions o, Bundler.Snapshotter snapshotter, PrintWriter err, Consumer<UnpackEvent> warnings,
            Consumer<StoredImage> check) throws IOException {
        PullOptions options = new PullOptions(platform, false, PullCommand.DEFAULT_JOBS);
        try (Progress progress = Progress.create(err, false)) {
            StreamingPull sp = new StreamingPull(store, ref.toString(), progress);
            Consumer<UnpackEvent> listener = e -> {
                warnings.accept(e);
                progress.unpack(e);
            };
            try (RegistryClient client = registry.client(ref.domain(), sp)) {
                // blobs arrive in the store before the image is named: keep `oci gc` out meanwhile
                return store.keepingGcOut(() -> {
                    sp.start(() -> client.pull(ref, store, options));
                    // a failed unpack does not wait for the downloads: their partial files stay for a later resume
                    StoredImage img = sp.image();
                    check.accept(img);
                    Bundler.Bundle b = Bundler.fromImage(store, sp, img, dir, force, o, snapshotter, listener);
                    try {
                        sp.await();
                    } catch (RuntimeException e) {
                        // every layer was verified, but the image could not be named: no bundle of a half-pulled image
                        Bundler.remove(b.dir());
                        throw e;
                    }
                    return b;
                });
            }
        }
    }

    /** The store's "; did you mean NAME?" of a not-in-store message, or null when it has none. */
    private static String nearHint(String notInStore) {
        var m = java.util.regex.Pattern.compile("; did you mean .*?\\?").matcher(String.valueOf(notInStore));
        return m.find() ? m.group() : null;
    }

    private static boolean notInStore(ImageException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("is not in the store");
    }
}
