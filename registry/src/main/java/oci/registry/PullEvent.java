package oci.registry;

import java.time.Duration;
import java.util.List;
import oci.image.Descriptor;
import oci.image.Digest;

/** What a pull reports while it runs. Only the CLI turns these into output. */
public sealed interface PullEvent {
    /** The reference was resolved on {@code registry} to {@code target} (a manifest or an index). */
    record Resolved(String name, String registry, Descriptor target) implements PullEvent {}

    /** The blobs (configs and layers) this pull needs, in manifest order; some may be present already. */
    record Planned(List<Descriptor> blobs) implements PullEvent {}

    /**
     * The image manifest this pull fetches (of the chosen platform, when the reference names an
     * index); its config and layers follow. Not sent with {@code --all-platforms}.
     */
    record ImageChosen(Descriptor manifest, oci.image.Manifest parsed) implements PullEvent {}

    /** The bytes of {@code blob} go to {@code partial} as they arrive (a reader may follow them; nothing there is verified yet). */
    record Writing(Descriptor blob, java.nio.file.Path partial) implements PullEvent {}

    /** A blob is already in the store and is not fetched. */
    record BlobPresent(Descriptor blob) implements PullEvent {}

    /** A download started (or resumed, when {@code offset} &gt; 0). */
    record BlobStarted(Descriptor blob, long offset) implements PullEvent {}

    /** Bytes of {@code blob} in the store's partial file so far. */
    record BlobProgress(Descriptor blob, long bytes) implements PullEvent {}

    /** The blob is verified and stored. */
    record BlobDone(Descriptor blob) implements PullEvent {}

    /** A request failed for a reason that may pass; it is tried again after {@code delay}. */
    record Retrying(String what, int attempt, String cause, Duration delay) implements PullEvent {}

    /** A mirror could not serve the image; the next source (finally the registry itself) is tried. */
    record MirrorFailed(String mirror, String cause) implements PullEvent {}

    /** The pull finished: {@code name} in the store now points at {@code digest}. */
    record Done(String name, Digest digest) implements PullEvent {}
}
