package oci.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An image manifest (OCI or Docker schema2). The bytes it was parsed from stay in the store: a
 * digest is always computed over those bytes, never over a re-serialisation of this record.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/manifest.md">manifest.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int schemaVersion,
        String mediaType,
        String artifactType,
        Descriptor config,
        List<Descriptor> layers,
        Descriptor subject,
        Map<String, String> annotations) {

    public Manifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** Parses and validates manifest bytes; {@code what} names the source in errors. */
    public static Manifest parse(byte[] bytes, String what) {
        Manifest m = ModelJson.manifest(bytes, what);
        if (m.schemaVersion == 1 || MediaType.isSchema1(m.mediaType)) {
            MediaType.requireManifestOrIndex(MediaType.DOCKER_SCHEMA1, what);
        }
        if (m.schemaVersion != 2) throw new ImageException(what + ": unsupported schemaVersion " + m.schemaVersion);
        if (m.mediaType != null && !MediaType.isManifest(m.mediaType)) {
            throw new ImageException(what + ": not an image manifest (mediaType \"" + m.mediaType + "\")");
        }
        if (m.config == null) throw new ImageException(what + ": manifest has no config descriptor");
        for (Descriptor l : m.layers) {
            if (!MediaType.isLayer(l.mediaType())) {
                throw new ImageException(what + ": layer " + l.digest() + " has unknown media type \"" + l.mediaType() + "\"");
            }
        }
        return m;
    }

    public long totalLayerSize() {
        return layers.stream().mapToLong(Descriptor::size).sum();
    }
}
