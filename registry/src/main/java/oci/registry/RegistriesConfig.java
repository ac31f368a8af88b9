package oci.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oci.image.ModelJson;

/**
 * Per-registry settings from a small JSON file: mirrors tried first for pulls (in order, falling
 * back to the registry itself), and registries allowed over plain HTTP.
 *
 * <pre>{@code
 * {
 *   "registries": {
 *     "docker.io":      { "mirrors": ["mirror.example.com", "http://10.0.0.5:5000"] },
 *     "registry.lan:5000": { "insecure": true }
 *   }
 * }
 * }</pre>
 *
 * Default path: {@code $OCI_REGISTRIES_CONFIG}, else {@code $XDG_CONFIG_HOME/oci/registries.json}
 * ({@code ~/.config/oci/registries.json}); a missing file means no mirrors and no insecure registries.
 */
public record RegistriesConfig(Map<String, Entry> registries) {
    /** One registry's settings. A mirror is {@code host[:port]} (HTTPS) or a full {@code http(s)://host[:port]} URL. */
    public record Entry(List<String> mirrors, boolean insecure) {
        public Entry {
            mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        }
    }

    public RegistriesConfig {
        registries = registries == null ? Map.of() : Map.copyOf(registries);
    }

    public static RegistriesConfig empty() {
        return new RegistriesConfig(Map.of());
    }

    public static Path defaultPath() {
        String env = System.getenv("OCI_REGISTRIES_CONFIG");
        if (env != null && !env.isEmpty()) return Path.of(env);
        return oci.image.UserDirs.configHome().resolve("oci").resolve("registries.json");
    }

    /** Reads {@code file}; a missing file is an empty config. */
    public static RegistriesConfig load(Path file) {
        if (!Files.isRegularFile(file)) return empty();
        String what = "registries config " + file;
        Object root;
        try {
            root = ModelJson.tree(Files.readAllBytes(file), what);
        } catch (IOException e) {
            throw new RegistryException("read " + what + ": " + e.getMessage());
        }
        Map<String, Entry> out = new HashMap<>();
        for (Map.Entry<String, Object> e : JsonText.object(JsonText.object(root).get("registries")).entrySet()) {
            Map<String, Object> settings = JsonText.object(e.getValue());
            Object given = settings.get("mirrors");
            Iterable<?> each = given instanceof List<?> l ? l : JsonText.object(given).values();
            List<String> mirrors = new ArrayList<>();
            for (Object m : each) {
                if (!(m instanceof String s) || s.isBlank()) throw new RegistryException(what + ": registry \"" + e.getKey() + "\": mirrors must be strings");
                mirrors.add(s);
            }
            out.put(e.getKey(), new Entry(mirrors, JsonText.bool(settings.get("insecure"), false)));
        }
        return new RegistriesConfig(out);
    }

    List<String> mirrors(String domain) {
        Entry e = registries.get(domain);
        return e == null ? List.of() : e.mirrors();
    }

    boolean insecure(String domain) {
        Entry e = registries.get(domain);
        return e != null && e.insecure();
    }
}
