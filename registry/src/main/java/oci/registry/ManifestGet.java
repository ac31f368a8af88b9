package oci.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import oci.image.Digest;
import oci.image.ImageException;
import oci.image.Index;
import oci.image.Manifest;
import oci.image.MediaType;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@code GET /v2/NAME/manifests/REFERENCE} for a manifest or index. The bytes are kept as received;
 * their digest must equal the requested digest (pull by digest, an index entry) and the
 * {@code Docker-Content-Digest} header when present. Schema1 and oversized documents are refused.
 */
final class ManifestGet implements Endpoint<ManifestGet.Fetched> {
    /** Docker's limit; a manifest is a few KiB, so anything near this is hostile or broken. */
    static final long MAX_MANIFEST = 4L << 20;

    static final String ACCEPT = String.join(", ", MediaType.OCI_MANIFEST, MediaType.OCI_INDEX,
            MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST);

    /** The received bytes with their media type and digest, parsed as a manifest or index. */
    record Fetched(byte[] bytes, String mediaType, Digest digest, Manifest manifest, Index index) {}

    private final String action;
    private final String repository;
    private final String reference;
    private final Digest expected;
    private final long expectedSize;

    /**
     * @param expected the digest the bytes must have, or null when pulling by tag
     * @param expectedSize the size from an index entry, or -1
     */
    ManifestGet(String action, String repository, String reference, Digest expected, long expectedSize) {
        this.action = action;
        this.repository = repository;
        this.reference = reference;
        this.expected = expected;
        this.expectedSize = expectedSize;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Request request(HttpUrl base) {
        HttpUrl url = base.newBuilder().encodedPath("/v2/").addPathSegments(repository).addPathSegment("manifests")
                .addPathSegment(reference).build();
        return new Request.Builder().url(url).header("Accept", ACCEPT).build();
    }

    @Override
    public Fetched handle(Response response) throws IOException {
        byte[] bytes = Bodies.readCapped(response.body(), MAX_MANIFEST);
        if (bytes == null) throw new RegistryException(action + ": manifest larger than " + (MAX_MANIFEST >> 20) + " MiB, refused");
        if (expectedSize >= 0 && bytes.length != expectedSize) {
            throw new RegistryException(action + ": the registry sent " + bytes.length + " bytes, the index says " + expectedSize);
        }
        Digest digest = digestOf(bytes, expected != null ? expected.algorithm() : "sha256");
        if (expected != null && !digest.equals(expected)) {
            throw new RegistryException(action + ": the registry sent a manifest that hashes to " + digest + ", not the requested " + expected);
        }
        String header = response.header("Docker-Content-Digest");
        if (header != null && !header.isBlank()) {
            Digest claimed;
            try {
                claimed = Digest.parse(header.trim());
            } catch (ImageException e) {
                throw new RegistryException(action + ": malformed Docker-Content-Digest header: " + e.getMessage());
            }
            Digest actual = digestOf(bytes, claimed.algorithm());
            if (!actual.equals(claimed)) {
                throw new RegistryException(action + ": Docker-Content-Digest says " + claimed + " but the manifest hashes to " + actual);
            }
        }
        String mediaType = mediaType(bytes, response.header("Content-Type"));
        MediaType.requireManifestOrIndex(mediaType, action);
        if (MediaType.isIndex(mediaType)) return new Fetched(bytes, mediaType, digest, null, Index.parse(bytes, action));
        return new Fetched(bytes, mediaType, digest, Manifest.parse(bytes, action), null);
    }

    /** The document's own mediaType field wins; then Content-Type; then the shape (OCI documents may omit both). */
    private String mediaType(byte[] bytes, String contentType) {
        // Only the top level's mediaType, schemaVersion and whether it has manifests or config matter:
        // one streaming pass over it, the values below skipped (Manifest/Index.parse read them after).
        int schemaVersion = 0;
        String own = "";
        boolean manifests = false;
        boolean config = false;
        try (JsonParser p = JsonText.FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new RegistryException(action + ": malformed manifest: not a JSON object");
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "schemaVersion" -> schemaVersion = p.getValueAsInt(0);
                    case "mediaType" -> own = JsonText.scalarText(p, "");
                    case "manifests" -> manifests = true;
                    case "config" -> config = true;
                    default -> { }
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
            }
        } catch (IOException e) {
            throw new RegistryException(action + ": malformed manifest: not JSON (" + Caller.oneLine(String.valueOf(e.getMessage())) + ")");
        }
        if (schemaVersion == 1) return MediaType.DOCKER_SCHEMA1_SIGNED;
        if (!own.isEmpty()) return own;
        String ct = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (MediaType.isManifest(ct) || MediaType.isIndex(ct) || MediaType.isSchema1(ct)) return ct;
        if (manifests) return MediaType.OCI_INDEX;
        if (config) return MediaType.OCI_MANIFEST;
        throw new RegistryException(action + ": malformed manifest: neither a manifest nor an index (Content-Type \"" + ct + "\")");
    }

    static Digest digestOf(byte[] bytes, String algorithm) {
        return Digest.compute(algorithm, bytes);
    }
}
