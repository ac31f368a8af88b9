package oci.testdata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.store.Store;

/**
 * Builds a small image straight into a {@link Store}: layers (plain or gzip tars), config fields,
 * a name. Uses only the store's public writer, so what it makes is what import and pull make.
 *
 * <pre>{@code
 * Descriptor d = TestImage.create().layer(Tar.build().file("hello", "hi").bytes())
 *         .cmd("/bin/sh").into(store, "example.com/test:1");
 * }</pre>
 */
public final class TestImage {
    /** Debian's busybox-static, a real static program to put in test images. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private final List<byte[]> layers = new ArrayList<>();
    private final List<Boolean> gzipped = new ArrayList<>();
    private final Map<String, Object> config = new LinkedHashMap<>();
    private final Map<Integer, String> diffIdOverrides = new LinkedHashMap<>();
    private String architecture = "amd64";
    private String os = "linux";

    public static TestImage create() {
        return new TestImage();
    }

    /** Adds an uncompressed tar as a gzip layer. */
    public TestImage layer(byte[] tar) {
        return layer(tar, true);
    }

    public TestImage layer(byte[] tar, boolean gzip) {
        layers.add(tar);
        gzipped.add(gzip);
        return this;
    }

    /** Makes the config lie about layer {@code index}: it lists {@code diffId} as its uncompressed digest. */
    public TestImage diffId(int index, Digest diffId) {
        diffIdOverrides.put(index, diffId.toString());
        return this;
    }

    /** Sets an image-config {@code config} field by its spec name (User, Env, Cmd, WorkingDir...). */
    public TestImage config(String field, Object value) {
        config.put(field, value);
        return this;
    }

    public TestImage cmd(String... args) {
        return config("Cmd", List.of(args));
    }

    public TestImage entrypoint(String... args) {
        return config("Entrypoint", List.of(args));
    }

    public TestImage env(String... vars) {
        return config("Env", List.of(vars));
    }

    public TestImage platform(String os, String architecture) {
        this.os = os;
        this.architecture = architecture;
        return this;
    }

    /** A layer holding busybox at /bin/busybox and /bin/sh linked to it (Debian's busybox-static). */
    public static byte[] busyboxLayer() {
        try {
            byte[] bin = Files.readAllBytes(BUSYBOX);
            return Tar.build().dir("bin").file("bin/busybox", bin, 0755).hardlink("bin/sh", "bin/busybox")
                    .dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
                    .file("etc/group", "root:x:0:\nnogroup:x:65534:\n").dir("tmp", 01777).dir("root", 0700).bytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes layers, config and manifest into {@code store}, names it, and returns the manifest descriptor. */
    public Descriptor into(Store store, String name) {
        List<Map<String, Object>> layerDescs = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            byte[] tar = layers.get(i);
            diffIds.add(diffIdOverrides.getOrDefault(i, Digest.sha256(tar).toString()));
            byte[] blob = gzipped.get(i) ? Tar.gzip(tar) : tar;
            Descriptor d = store.putBlob(gzipped.get(i) ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER, blob);
            layerDescs.add(descriptorMap(d));
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("created", "2024-01-02T03:04:05Z");
        cfg.put("architecture", architecture);
        cfg.put("os", os);
        cfg.put("config", config);
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        Descriptor c = store.putBlob(MediaType.OCI_CONFIG, Json.write(cfg));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaType.OCI_MANIFEST);
        manifest.put("config", descriptorMap(c));
        manifest.put("layers", layerDescs);
        Descriptor m = store.putBlob(MediaType.OCI_MANIFEST, Json.write(manifest));
        if (name != null) store.tag(m, name);
        return m;
    }

    private static Map<String, Object> descriptorMap(Descriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", d.mediaType());
        m.put("digest", d.digest().toString());
        m.put("size", d.size());
        return m;
    }
}
