package oci.testdata;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import oci.image.Digest;
import oci.image.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes docker-archive tarballs in the classic {@code docker save} form: {@code <id>/layer.tar},
 * {@code <config-hex>.json}, {@code manifest.json} (first or last), {@code repositories}; a layer
 * that two images share is written once and linked, as docker does. Also tars a directory (an OCI
 * layout) into an oci-archive.
 *
 * <pre>{@code
 * DockerArchive.create().image(List.of("example.com/app:1"), List.of(tar1, tar2)).write(file);
 * }</pre>
 */
public final class DockerArchive {
    private record Image(List<String> repoTags, byte[] config, List<byte[]> layerFiles) {}

    private final List<Image> images = new ArrayList<>();
    private boolean manifestLast;
    private boolean gzipArchive;

    public static DockerArchive create() {
        return new DockerArchive();
    }

    /** An image of uncompressed layer tars; its config lists their diff_ids. */
    public DockerArchive image(List<String> repoTags, List<byte[]> tars) {
        return image(repoTags, config(tars), tars);
    }

    /** An image with a config of your own and layer files stored as given (tar or gzip tar). */
    public DockerArchive image(List<String> repoTags, byte[] config, List<byte[]> layerFiles) {
        images.add(new Image(repoTags, config, layerFiles));
        return this;
    }

    /** Writes manifest.json after the layers (some writers do; an importer must not depend on order). */
    public DockerArchive manifestLast() {
        this.manifestLast = true;
        return this;
    }

    /** Gzip the whole archive (as {@code docker save | gzip}). */
    public DockerArchive gzip() {
        this.gzipArchive = true;
        return this;
    }

    /** A minimal image config whose diff_ids are the sha256 of {@code tars}. */
    public static byte[] config(List<byte[]> tars) {
        List<String> diffIds = tars.stream().map(t -> Digest.sha256(t).toString()).toList();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("created", "2024-01-02T03:04:05Z");
        cfg.put("config", Map.of("Cmd", List.of("/bin/sh"), "Env", List.of("PATH=/bin")));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        return Json.write(cfg);
    }

    public void write(Path file) {
        try (OutputStream f = Files.newOutputStream(file);
             OutputStream o = gzipArchive ? new GZIPOutputStream(f) : f;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(o)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            List<Map<String, Object>> manifest = new ArrayList<>();
            Map<String, Map<String, String>> repositories = new LinkedHashMap<>();
            Map<Digest, String> written = new LinkedHashMap<>();
            List<Runnable> body = new ArrayList<>();
            for (Image img : images) {
                String configName = Digest.sha256(img.config()).encoded() + ".json";
                List<String> layerNames = new ArrayList<>();
                String parent = "";
                for (byte[] layer : img.layerFiles()) {
                    Digest d = Digest.sha256(layer);
                    String id = Digest.sha256((parent + d).getBytes()).encoded();
                    parent = id;
                    String name = id + "/layer.tar";
                    layerNames.add(name);
                    String first = written.putIfAbsent(d, name);
                    if (name.equals(first)) continue; // the same layer with the same parents: already written
                    body.add(() -> {
                        if (first == null) put(tar, name, layer);
                        else link(tar, name, "../" + first);
                        put(tar, id + "/VERSION", "1.0".getBytes());
                    });
                }
                body.add(() -> put(tar, configName, img.config()));
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("Config", configName);
                entry.put("RepoTags", img.repoTags());
                entry.put("Layers", layerNames);
                manifest.add(entry);
                for (String t : img.repoTags() == null ? List.<String>of() : img.repoTags()) {
                    int c = t.lastIndexOf(':');
                    repositories.computeIfAbsent(t.substring(0, c), k -> new LinkedHashMap<>()).put(t.substring(c + 1), parent);
                }
            }
            if (!manifestLast) put(tar, "manifest.json", Json.write(manifest));
            body.forEach(Runnable::run);
            put(tar, "repositories", Json.write(repositories));
            if (manifestLast) put(tar, "manifest.json", Json.write(manifest));
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tars the directory {@code dir} (e.g. an OCI layout) into {@code file}: an oci-archive. */
    public static void tarDirectory(Path dir, Path file, boolean gzip) {
        try (OutputStream f = Files.newOutputStream(file);
             OutputStream o = gzip ? new GZIPOutputStream(f) : f;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(o);
             Stream<Path> walk = Files.walk(dir)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String name = dir.relativize(p).toString();
                if (name.isEmpty() || name.startsWith(".tmp") || name.equals(".lock")) continue;
                if (Files.isDirectory(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else {
                    TarArchiveEntry e = new TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                    tar.putArchiveEntry(e);
                    Files.copy(p, tar);
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(0444);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void link(TarArchiveOutputStream tar, String name, String target) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
