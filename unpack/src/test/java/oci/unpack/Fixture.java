package oci.unpack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.testdata.Tar;

/** Builds images of given layers into a temp store and unpacks them; describes trees for assertions. */
final class Fixture {
    final Path dir;
    final Store store;
    final Path target;
    final Path sentinel;

    Fixture(Path dir) throws IOException {
        this.dir = dir;
        this.store = Store.open(dir.resolve("store"));
        this.target = dir.resolve("work/rootfs");
        // A directory beside the target that hostile layers try to reach; it must never change.
        this.sentinel = dir.resolve("work/sentinel");
        Files.createDirectories(sentinel);
        Files.writeString(sentinel.resolve("keep"), "untouched\n");
    }

    /** One layer: its media type and the blob bytes; {@code tar} is the uncompressed content (for the diff_id). */
    record Layer(String mediaType, byte[] blob, byte[] tar) {
        static Layer gzip(byte[] tar) {
            return new Layer(MediaType.OCI_LAYER_GZIP, Tar.gzip(tar), tar);
        }

        static Layer plain(byte[] tar) {
            return new Layer(MediaType.OCI_LAYER, tar, tar);
        }

        static Layer zstd(byte[] tar) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (var z = new com.github.luben.zstd.ZstdOutputStream(b)) {
                z.write(tar);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Layer(MediaType.OCI_LAYER_ZSTD, b.toByteArray(), tar);
        }
    }

    StoredImage image(String name, List<Layer> layers, List<Digest> diffIdsOrNull) {
        List<Map<String, Object>> descs = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (Layer l : layers) {
            Descriptor d = store.putBlob(l.mediaType(), l.blob());
            descs.add(Map.of("mediaType", l.mediaType(), "digest", d.digest().toString(), "size", d.size()));
            diffIds.add(Digest.sha256(l.tar()).toString());
        }
        if (diffIdsOrNull != null) diffIds = diffIdsOrNull.stream().map(Digest::toString).toList();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", Platform.host().architecture());
        cfg.put("os", "linux");
        cfg.put("config", Map.of());
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        Descriptor c = store.putBlob(MediaType.OCI_CONFIG, Json.write(cfg));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaType.OCI_MANIFEST);
        m.put("config", Map.of("mediaType", MediaType.OCI_CONFIG, "digest", c.digest().toString(), "size", c.size()));
        m.put("layers", descs);
        Descriptor md = store.putBlob(MediaType.OCI_MANIFEST, Json.write(m));
        store.tag(md, name);
        return store.image(name, Platform.host());
    }

    Rootfs unpack(byte[]... tars) throws IOException {
        return unpack(UnpackOptions.defaults(), tars);
    }

    Rootfs unpack(UnpackOptions o, byte[]... tars) throws IOException {
        List<Layer> layers = Stream.of(tars).map(Layer::gzip).toList();
        return Unpacker.unpack(store, image("test.example/img:" + layers.size(), layers, null), target, o);
    }

    /** path → "type mode uid:gid [size|-> link]" for every entry below {@code root}, symlinks not followed. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(root)) continue;
                out.put(root.relativize(p).toString(), describeOne(p));
            }
        }
        return out;
    }

    static String describeOne(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        int uid = (int) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (int) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        String type = a.isSymbolicLink() ? "l" : a.isDirectory() ? "d" : a.isRegularFile() ? "f" : "o";
        String extra = a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(p) : a.isRegularFile() ? String.valueOf(a.size()) : "";
        return type + " " + Integer.toOctalString(mode) + " " + uid + ":" + gid + (extra.isEmpty() ? "" : " " + extra);
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** What the sentinel directory holds now (must stay {keep}). */
    Map<String, String> sentinelState() throws IOException {
        return describe(sentinel);
    }

    /**
     * The bytes of {@code p} as a raw name (one char per byte, as {@link oci.linux.FileCalls#rawNames()}
     * takes it). A Path that java.nio listed keeps its name's bytes, but its toString() decodes them.
     */
    static String rawName(Path p) {
        String uri = p.toAbsolutePath().toUri().getRawPath(); // every byte outside ASCII percent-encoded
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                b.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.write(c);
            }
        }
        String raw = b.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        return raw.length() > 1 && raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw; // toUri marks directories
    }

    /** A Path of exactly the bytes of absolute raw name {@code raw}. */
    static Path rawPath(String raw) {
        StringBuilder u = new StringBuilder("file://");
        for (char c : raw.toCharArray()) {
            if (c > 0xff || c == 0) throw new IllegalArgumentException("not a raw name: " + raw);
            if (c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) u.append(c);
            else u.append(String.format("%%%02X", (int) c));
        }
        return Path.of(java.net.URI.create(u.toString()));
    }
}
