package oci.image;

/**
 * The media types this tool knows, OCI and Docker schema2.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/media-types.md">media-types.md</a>
 */
public final class MediaType {
    private MediaType() {}

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_ND = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_ND_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_ND_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_FOREIGN_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** How a layer's bytes are compressed. */
    public enum Compression { NONE, GZIP, ZSTD }

    public static boolean isIndex(String mt) {
        return OCI_INDEX.equals(mt) || DOCKER_MANIFEST_LIST.equals(mt);
    }

    public static boolean isManifest(String mt) {
        return OCI_MANIFEST.equals(mt) || DOCKER_MANIFEST.equals(mt);
    }

    public static boolean isSchema1(String mt) {
        return DOCKER_SCHEMA1.equals(mt) || DOCKER_SCHEMA1_SIGNED.equals(mt);
    }

    public static boolean isConfig(String mt) {
        return OCI_CONFIG.equals(mt) || DOCKER_CONFIG.equals(mt);
    }

    public static boolean isLayer(String mt) {
        return layerCompressionOrNull(mt) != null;
    }

    /** Non-distributable ("foreign") layers may carry {@code urls} to fetch them from. */
    public static boolean isNonDistributable(String mt) {
        return OCI_LAYER_ND.equals(mt) || OCI_LAYER_ND_GZIP.equals(mt) || OCI_LAYER_ND_ZSTD.equals(mt)
                || DOCKER_LAYER_FOREIGN_GZIP.equals(mt);
    }

    /** The compression of a layer media type; throws for anything that is not a known layer type. */
    public static Compression layerCompression(String mt) {
        Compression c = layerCompressionOrNull(mt);
        if (c == null) throw new ImageException("unknown layer media type \"" + mt + "\"");
        return c;
    }

    private static Compression layerCompressionOrNull(String mt) {
        if (mt == null) return null;
        return switch (mt) {
            case OCI_LAYER, OCI_LAYER_ND, DOCKER_LAYER -> Compression.NONE;
            case OCI_LAYER_GZIP, OCI_LAYER_ND_GZIP, DOCKER_LAYER_GZIP, DOCKER_LAYER_FOREIGN_GZIP -> Compression.GZIP;
            case OCI_LAYER_ZSTD, OCI_LAYER_ND_ZSTD -> Compression.ZSTD;
            default -> null;
        };
    }

    /** Refuses schema1 by name and anything else that is not a manifest or index. */
    public static void requireManifestOrIndex(String mt, String what) {
        if (isSchema1(mt)) {
            throw new ImageException(what + ": Docker schema1 manifests (" + mt
                    + ") are obsolete and not supported; re-push the image with a current client");
        }
        if (!isManifest(mt) && !isIndex(mt)) {
            throw new ImageException(what + ": unsupported media type \"" + mt + "\" (expected an OCI or Docker schema2 manifest or index)");
        }
    }
}
