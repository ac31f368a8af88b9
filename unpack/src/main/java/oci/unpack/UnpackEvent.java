package oci.unpack;

import oci.image.Digest;

/** Progress and warnings of an unpack, for a listener in {@link UnpackOptions}; only the CLI prints them. */
public sealed interface UnpackEvent {
    /** Layer {@code index} (0-based, of {@code count}) starts; {@code digest} is its blob, null for a lone tar stream. */
    record LayerStarted(int index, int count, Digest digest, long size) implements UnpackEvent {}

    /** Layer {@code index} is applied and its uncompressed digest checked. */
    record LayerApplied(int index, Digest diffId, long entries, long bytes) implements UnpackEvent {}

    /** Something the user should know that does not stop the unpack (devices skipped when rootless...). */
    record Warning(String message) implements UnpackEvent {}
}
