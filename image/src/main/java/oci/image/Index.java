package oci.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An image index (OCI) or manifest list (Docker). Also the shape of a layout's index.json.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image-index.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Index(
        int schemaVersion,
        String mediaType,
        List<Descriptor> manifests,
        Map<String, String> annotations) {

    public Index {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static Index of(List<Descriptor> manifests) {
        return new Index(2, MediaType.OCI_INDEX, manifests, null);
    }

    public static Index parse(byte[] bytes, String what) {
        Index i = ModelJson.index(bytes, what);
        if (i.schemaVersion != 2) throw new ImageException(what + ": unsupported schemaVersion " + i.schemaVersion);
        if (i.mediaType != null && !MediaType.isIndex(i.mediaType)) {
            throw new ImageException(what + ": not an image index (mediaType \"" + i.mediaType + "\")");
        }
        return i;
    }

    /**
     * The manifest for {@code wanted}. When none matches, the error lists the platforms on offer.
     * Entries without a platform are taken only when the index has a single entry.
     */
    public Descriptor select(Platform wanted, String what) {
        for (Descriptor d : manifests) {
            if (MediaType.isManifest(d.mediaType()) && wanted.matches(d.platform())) return d;
        }
        List<Descriptor> images = manifests.stream().filter(d -> MediaType.isManifest(d.mediaType())).toList();
        if (images.size() == 1 && images.get(0).platform() == null) return images.get(0);
        String offered = manifests.stream()
                .filter(d -> d.platform() != null)
                .map(d -> d.platform().toString())
                .distinct()
                .collect(Collectors.joining(", "));
        throw new ImageException(what + ": no image for platform " + wanted
                + (offered.isEmpty() ? " (the index names no platforms)" : "; available: " + offered)
                + " (choose one with --platform)");
    }
}
