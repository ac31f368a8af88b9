package oci.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A content descriptor: what a blob is, how big, and its digest.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md">descriptor.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        List<String> urls,
        Map<String, String> annotations,
        Platform platform,
        String artifactType) {

    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public Descriptor {
        if (digest == null) throw new ImageException("descriptor without a digest");
        if (size < 0) throw new ImageException("descriptor " + digest + ": negative size " + size);
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, null, null, null, null);
    }

    /** The tag this descriptor carries in an index.json, or null. */
    public String refName() {
        return annotations.get(REF_NAME);
    }

    public Descriptor withAnnotations(Map<String, String> newAnnotations) {
        return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform, artifactType);
    }

    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, urls, annotations, p, artifactType);
    }
}
