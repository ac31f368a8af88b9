package oci.registry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import oci.testdata.registry.Skopeo;

/** Test images built with TestImage into a layout, and pushed to a loopback registry with skopeo. */
final class Images {
    private Images() {}

    /** A small image with two layers whose content is unique to this call (so no test sees another's blobs). */
    static TestImage unique(String os, String arch) {
        String id = UUID.randomUUID().toString();
        byte[] noise = new byte[200_000];
        new java.util.Random(id.hashCode()).nextBytes(noise);
        return TestImage.create().platform(os, arch)
                .layer(Tar.build().dir("etc").file("etc/id", id + "\n").bytes())
                .layer(Tar.build().dir("data").file("data/noise", noise, 0644).bytes())
                .cmd("/bin/sh");
    }

    /** Builds {@code image} into a layout under {@code work} and pushes it to {@code dest} (docker://...). */
    static Descriptor push(Path work, TestImage image, String dest, String... skopeoArgs) throws Exception {
        Path layout = Files.createTempDirectory(work, "layout-");
        Store s = Store.open(layout);
        Descriptor d = image.into(s, "img");
        Skopeo.copy("oci:" + layout + ":img", "docker://" + dest, args(skopeoArgs));
        return d;
    }

    /** Pushes an index of one image per platform ("linux/amd64", "linux/arm64"...), returns the index descriptor. */
    static Descriptor pushIndex(Path work, String dest, List<String> platforms, String... skopeoArgs) throws Exception {
        Path layout = Files.createTempDirectory(work, "layout-");
        Store s = Store.open(layout);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String p : platforms) {
            String[] parts = p.split("/");
            Descriptor m = unique(parts[0], parts[1]).into(s, null);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("mediaType", m.mediaType());
            e.put("digest", m.digest().toString());
            e.put("size", m.size());
            Map<String, Object> platform = new LinkedHashMap<>();
            platform.put("architecture", parts[1]);
            platform.put("os", parts[0]);
            if (parts.length > 2) platform.put("variant", parts[2]);
            e.put("platform", platform);
            entries.add(e);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaType.OCI_INDEX);
        index.put("manifests", entries);
        Descriptor idx = s.putBlob(MediaType.OCI_INDEX, Json.write(index));
        s.tag(idx, "img");
        List<String> a = new ArrayList<>(List.of(args(skopeoArgs)));
        a.add("--all");
        Skopeo.copy("oci:" + layout + ":img", "docker://" + dest, a.toArray(new String[0]));
        return idx;
    }

    private static String[] args(String... extra) {
        if (extra.length > 0) return extra;
        return new String[] {"--dest-tls-verify=false"};
    }

    /** Every file under blobs/ of a layout, by relative path, with its bytes as text of its hash (for equality checks). */
    static Map<String, String> blobs(Path layout) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(layout.resolve("blobs"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(layout.relativize(p).toString(), oci.image.Digest.sha256(Files.readAllBytes(p)).toString());
            }
        }
        return out;
    }

    /** Files under the store's .tmp and blobs that are not verified blobs (nothing may be there after a failed pull but partials in .tmp). */
    static List<String> unverifiedBlobs(Store store) throws Exception {
        List<String> bad = new ArrayList<>();
        for (var p : store.fsck()) bad.add(p.digest() + ": " + p.message());
        return bad;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
