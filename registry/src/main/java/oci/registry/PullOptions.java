package oci.registry;

import oci.image.Platform;

/**
 * How to pull.
 *
 * @param platform the platform to choose from an index (default: this host's)
 * @param allPlatforms fetch every image of an index instead of one
 * @param jobs how many blobs download at once (Docker's default is 3)
 * @param platformChosen the user named the platform: an image that is not an index must then be
 *     for that platform (as {@code docker pull --platform} checks); the host default is not enforced
 */
public record PullOptions(Platform platform, boolean allPlatforms, int jobs, boolean platformChosen) {
    /** {@code platform} null means this host's; a non-null one is enforced on single images too. */
    public PullOptions(Platform platform, boolean allPlatforms, int jobs) {
        this(platform, allPlatforms, jobs, platform != null);
    }

    public PullOptions {
        if (platform == null) platform = Platform.host();
        if (jobs < 1 || jobs > 64) throw new RegistryException("--jobs must be between 1 and 64, not " + jobs);
    }

    public static PullOptions defaults() {
        return new PullOptions(null, false, 3);
    }
}
