package oci.unpack;

import java.util.List;
import java.util.function.Consumer;

/**
 * How to unpack.
 *
 * @param force replace an existing target directory (atomically, at the end)
 * @param maxBytes refuse a rootfs that would take more than this many bytes of content, or a layer
 *     stream longer than this uncompressed (a decompression bomb); 0 for no limit
 * @param uidMap container uid to host uid, applied with chown (an id outside the map is an error);
 *     empty for the identity
 * @param gidMap container gid to host gid, likewise
 * @param rootless skip device nodes and privileged xattrs (counted in one warning each), and,
 *     unless id maps are given, do not chown but record the image's owner in the
 *     {@code user.rootlesscontainers} xattr as umoci does; implied when not running as root
 * @param listener receives {@link UnpackEvent}s on the unpacking thread
 */
public record UnpackOptions(boolean force, long maxBytes, List<IdMap> uidMap, List<IdMap> gidMap, boolean rootless,
        Consumer<UnpackEvent> listener) {
    public UnpackOptions {
        if (maxBytes < 0) throw new UnpackException("invalid byte limit " + maxBytes + ": must be 0 (none) or more");
        uidMap = List.copyOf(uidMap);
        gidMap = List.copyOf(gidMap);
        if (listener == null) listener = e -> {};
    }

    public static UnpackOptions defaults() {
        return new UnpackOptions(false, 0, List.of(), List.of(), false, e -> {});
    }

    public UnpackOptions withForce(boolean f) {
        return new UnpackOptions(f, maxBytes, uidMap, gidMap, rootless, listener);
    }

    public UnpackOptions withMaxBytes(long n) {
        return new UnpackOptions(force, n, uidMap, gidMap, rootless, listener);
    }

    public UnpackOptions withUidMap(List<IdMap> m) {
        return new UnpackOptions(force, maxBytes, m, gidMap, rootless, listener);
    }

    public UnpackOptions withGidMap(List<IdMap> m) {
        return new UnpackOptions(force, maxBytes, uidMap, m, rootless, listener);
    }

    public UnpackOptions withRootless(boolean r) {
        return new UnpackOptions(force, maxBytes, uidMap, gidMap, r, listener);
    }

    public UnpackOptions withListener(Consumer<UnpackEvent> l) {
        return new UnpackOptions(force, maxBytes, uidMap, gidMap, rootless, l);
    }
}
