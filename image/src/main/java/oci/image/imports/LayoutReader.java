package oci.image.imports;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageConfig;
import oci.image.Index;
import oci.image.Json;
import oci.image.Manifest;
import oci.image.MediaType;
import oci.image.store.Store;

/**
 * Imports an OCI image layout (a directory, an oci-archive, or the layout inside a newer
 * {@code docker save} tarball): every index.json entry, with everything it reaches, verified.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">image-layout.md</a>
 */
final class LayoutReader extends Reader {
    /** containerd and docker ≥ 25 put the full image name here; ref.name then holds only the tag. */
    static final String CONTAINERD_NAME = "io.containerd.image.name";
    private static final int MAX_DEPTH = 8;
    /** RepoTags of a newer docker save's manifest.json, by config digest: names where index.json has only tags. */
    private Map<Digest, List<String>> repoTagsByConfig = Map.of();

    LayoutReader(Store store, Entries entries, Plan plan, Scratch scratch) {
        super(store, entries, plan, scratch);
    }

    @Override
    void run() throws IOException {
        repoTagsByConfig = DockerArchiveReader.repoTagsByConfig(this);
        if (entries.has("oci-layout")) {
            byte[] marker = small("oci-layout", entries.spool("oci-layout", "sha256"));
            JsonNode n = model(() -> Json.read(marker, JsonNode.class, what("oci-layout")));
            if (!n.path("imageLayoutVersion").isTextual()) {
                throw new ImportException(source, "oci-layout", "no imageLayoutVersion: not an OCI layout marker");
            }
        }
        byte[] bytes = small("index.json", entries.spool("index.json", "sha256"));
        Index index = model(() -> Index.parse(bytes, what("index.json")));
        if (index.manifests().isEmpty()) throw new ImportException(source, "index.json", "lists no images");
        for (Descriptor top : index.manifests()) {
            Digest config = walk(top, 0, "index.json");
            List<String> names = names(top, config);
            String ref = top.refName();
            plan.image(names, top, names.isEmpty() && ref != null && isBareTag(ref) ? ref : null, ref);
        }
    }

    private List<String> names(Descriptor top, Digest config) {
        String full = top.annotations().get(CONTAINERD_NAME);
        if (full != null) return normalised(List.of(full), "index.json");
        List<String> tags = config == null ? null : repoTagsByConfig.get(config);
        if (tags != null && !tags.isEmpty()) return normalised(tags, "manifest.json");
        if (top.refName() != null && !isBareTag(top.refName())) return normalised(List.of(top.refName()), "index.json");
        return List.of();
    }

    /**
     * A ref.name with no repository: {@code latest}, {@code amd64}. image-layout.md means ref.name
     * as a tag, and skopeo ({@code oci:DIR:TAG}), umoci and buildah write only that; a full name
     * ({@code example.com/app:1}, what oci's store holds) has a slash or a colon.
     */
    static boolean isBareTag(String refName) {
        return refName.matches("[\\w][\\w.-]{0,127}");
    }

    static String entryOf(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.encoded();
    }

    /** Verifies and plans {@code d} and what it reaches; returns the config digest of a manifest. */
    private Digest walk(Descriptor d, int depth, String referrer) throws IOException {
        if (depth > MAX_DEPTH) throw new ImportException(source, entryOf(d.digest()), "indexes nested deeper than " + MAX_DEPTH);
        String entry = entryOf(d.digest());
        if (d.mediaType() == null) {
            throw new ImportException(source, referrer, "descriptor " + d.digest() + " has no mediaType");
        }
        model(() -> {
            MediaType.requireManifestOrIndex(d.mediaType(), what(referrer) + ": descriptor " + d.digest());
            return null;
        });
        if (!entries.has(entry)) throw new ImportException(source, entry, "missing (named by " + referrer + ")");
        Spooled s = verified(entry, d);
        byte[] bytes = small(entry, s);
        plan.blob(d.digest(), s);
        if (MediaType.isIndex(d.mediaType())) {
            Index idx = model(() -> Index.parse(bytes, what(entry)));
            for (Descriptor c : idx.manifests()) walk(c, depth + 1, entry);
            return null;
        }
        Manifest m = model(() -> Manifest.parse(bytes, what(entry)));
        if (m.mediaType() != null && !m.mediaType().equals(d.mediaType())) {
            throw new ImportException(source, entry, "manifest says mediaType \"" + m.mediaType() + "\", its descriptor in "
                    + referrer + " says \"" + d.mediaType() + "\"");
        }
        Descriptor cd = m.config();
        String ce = entryOf(cd.digest());
        if (!entries.has(ce)) throw new ImportException(source, ce, "missing (the config of " + entry + ")");
        Spooled cs = verified(ce, cd);
        if (MediaType.isConfig(cd.mediaType())) {
            byte[] cb = small(ce, cs);
            ImageConfig c = model(() -> ImageConfig.parse(cb, what(ce)));
            if (c.diffIds().size() != m.layers().size()) {
                throw new ImportException(source, entry, "config lists " + c.diffIds().size() + " diff_ids but the manifest has "
                        + m.layers().size() + " layers");
            }
        }
        plan.blob(cd.digest(), cs);
        List<Descriptor> missing = new ArrayList<>();
        for (Descriptor l : m.layers()) {
            String le = entryOf(l.digest());
            if (entries.has(le)) {
                plan.blob(l.digest(), verified(le, l));
            } else if (!store.hasBlob(l.digest()) && !(MediaType.isNonDistributable(l.mediaType()) && !l.urls().isEmpty())) {
                missing.add(l);
            }
        }
        if (!missing.isEmpty()) {
            throw new ImportException(source, entryOf(missing.get(0).digest()), "missing (a layer of " + entry + ")"
                    + (missing.size() > 1 ? "; " + (missing.size() - 1) + " more layers are missing too" : ""));
        }
        return cd.digest();
    }
}
