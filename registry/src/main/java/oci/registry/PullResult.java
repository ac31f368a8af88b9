package oci.registry;

import java.util.List;
import oci.image.Descriptor;

/**
 * What a pull stored.
 *
 * @param name the store name it tagged (the full normalised reference)
 * @param target what the name points at (the manifest, or the index the registry served)
 * @param manifests the image manifests fetched (one, or one per platform with --all-platforms)
 * @param fetched blobs downloaded in this pull (those already present are not counted)
 */
public record PullResult(String name, Descriptor target, List<Descriptor> manifests, List<Descriptor> fetched) {}
