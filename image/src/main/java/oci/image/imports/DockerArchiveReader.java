package oci.image.imports;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageConfig;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.store.Store;

/**
 * Imports the classic {@code docker save} form: manifest.json lists, per image, its config file,
 * its layer tars and its RepoTags. There is no manifest in the archive, so one is built here, with
 * the config and each layer stored byte for byte: an uncompressed tar (checked against the
 * config's diff_id) or a gzip one, told apart by magic bytes.
 *
 * <p>The manifest built is an OCI image manifest, not Docker schema2: skopeo's and
 * oci-image-tool's layout readers skip or reject Docker media types inside an OCI layout, and a
 * Docker image config is a valid OCI config (config.md keeps Docker's field names). This is what
 * {@code skopeo copy docker-archive:… oci:…} produces too.
 */
final class DockerArchiveReader extends Reader {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(@JsonProperty("Config") String config,
                 @JsonProperty("RepoTags") List<String> repoTags,
                 @JsonProperty("Layers") List<String> layers) {}

    DockerArchiveReader(Store store, Entries entries, Plan plan, Scratch scratch) {
        super(store, entries, plan, scratch);
    }

    /** manifest.json's entries; both forms of docker save write it. */
    static List<Entry> manifestJson(Reader r) throws IOException {
        byte[] bytes = r.small("manifest.json", r.entries.spool("manifest.json", "sha256"));
        com.fasterxml.jackson.databind.JsonNode tree = r.model(() -> Json.read(bytes, com.fasterxml.jackson.databind.JsonNode.class, what("manifest.json")));
        if (!tree.isArray()) throw new ImportException(r.source, "manifest.json", "not a JSON list of images");
        Entry[] list = r.model(() -> Json.read(bytes, Entry[].class, what("manifest.json")));
        if (list.length == 0) throw new ImportException(r.source, "manifest.json", "lists no images");
        for (int i = 0; i < list.length; i++) {
            if (list[i] == null || list[i].config() == null || list[i].layers() == null) {
                throw new ImportException(r.source, "manifest.json", "image " + (i + 1) + " has no Config or no Layers");
            }
        }
        return Arrays.asList(list);
    }

    /** In the newer form (an OCI layout inside), RepoTags by the config digest they belong to. */
    static Map<Digest, List<String>> repoTagsByConfig(Reader r) throws IOException {
        Map<Digest, List<String>> out = new HashMap<>();
        if (!r.entries.has("manifest.json")) return out;
        for (Entry e : manifestJson(r)) {
            Digest d = TarEntries.blobName(Entries.clean(r.source, e.config()));
            if (d != null && e.repoTags() != null) out.put(d, e.repoTags());
        }
        return out;
    }

    @Override
    void run() throws IOException {
        for (Entry e : manifestJson(this)) importImage(e);
    }

    private void importImage(Entry e) throws IOException {
        String ce = Entries.clean(source, e.config());
        if (!entries.has(ce)) throw new ImportException(source, ce, "missing (the config named by manifest.json)");
        Spooled cs = entries.spool(ce, "sha256");
        byte[] cb = small(ce, cs);
        Digest cd = cs.digest("sha256");
        String stem = ce.substring(ce.lastIndexOf('/') + 1).replaceFirst("\\.json$", "");
        if (stem.matches("[a-f0-9]{64}") && !stem.equals(cd.encoded())) {
            throw new ImportException(source, ce, "config digest mismatch: content hashes to " + cd + ", the file name says sha256:" + stem);
        }
        ImageConfig config = model(() -> ImageConfig.parse(cb, what(ce)));
        if (config.diffIds().size() != e.layers().size()) {
            throw new ImportException(source, "manifest.json", "image " + ce + " lists " + e.layers().size()
                    + " layers but its config has " + config.diffIds().size() + " diff_ids");
        }
        plan.blob(cd, cs);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < e.layers().size(); i++) {
            String le = Entries.clean(source, e.layers().get(i));
            if (!entries.has(le)) throw new ImportException(source, le, "missing (a layer named by manifest.json)");
            Spooled ls = entries.spool(le, "sha256");
            byte[] head = ls.head(4);
            String mediaType;
            if (startsWith(head, GZIP)) {
                mediaType = MediaType.OCI_LAYER_GZIP;
            } else if (startsWith(head, ZSTD)) {
                throw new ImportException(source, le, "zstd-compressed layer: a docker-archive layer must be a tar or a gzip tar");
            } else {
                mediaType = MediaType.OCI_LAYER;
                // An uncompressed layer is its own diff: its digest must be the config's diff_id (config.md, rootfs).
                Digest diffId = config.diffIds().get(i);
                if (!ls.digest(diffId.algorithm()).equals(diffId)) {
                    throw new ImportException(source, le, "layer digest mismatch: content hashes to " + ls.digest(diffId.algorithm())
                            + ", the config's diff_id " + (i + 1) + " is " + diffId);
                }
            }
            Digest ld = ls.digest("sha256");
            plan.blob(ld, ls);
            layers.add(descriptor(mediaType, ld, ls.size));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaType.OCI_MANIFEST);
        manifest.put("config", descriptor(MediaType.OCI_CONFIG, cd, cs.size));
        manifest.put("layers", layers);
        Spooled ms = scratch.write(Json.write(manifest));
        Digest md = ms.digest("sha256");
        plan.blob(md, ms);
        List<String> names = e.repoTags() == null ? List.of() : normalised(e.repoTags(), "manifest.json");
        plan.image(names, Descriptor.of(MediaType.OCI_MANIFEST, md, ms.size));
    }

    private static Map<String, Object> descriptor(String mediaType, Digest d, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("size", size);
        m.put("digest", d.toString());
        return m;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[i] != prefix[i]) return false;
        return true;
    }
}
