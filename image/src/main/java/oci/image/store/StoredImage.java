package oci.image.store;

import oci.image.Descriptor;
import oci.image.ImageConfig;
import oci.image.Manifest;

/**
 * One image resolved from the store: the descriptor that named it (from index.json, or the
 * platform's entry of an index), its manifest and its config.
 *
 * @param name the ref name it was found under, or null when found by digest
 */
public record StoredImage(String name, Descriptor manifestDescriptor, Manifest manifest, ImageConfig config) {}
