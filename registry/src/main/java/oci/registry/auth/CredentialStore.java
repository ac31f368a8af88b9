package oci.registry.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import oci.image.ImageRef;
import oci.image.ModelJson;
import oci.registry.JsonText;
import oci.registry.RegistryException;

/**
 * Registry credentials as Docker and the containers tools keep them: {@code auths} entries
 * (base64 {@code user:password} or an {@code identitytoken}), a default {@code credsStore} and
 * per-registry {@code credHelpers}, both run as {@code docker-credential-NAME get|store|erase}.
 *
 * <p>Files are searched in order: {@code $DOCKER_CONFIG/config.json} (or {@code ~/.docker/config.json}),
 * then containers' auth.json ({@code $REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * {@code ~/.config/containers/auth.json}). Login writes the first file (created mode 0600).
 * Docker Hub's key is {@code https://index.docker.io/v1/}.
 */
public final class CredentialStore {
    /** The key Docker uses for Docker Hub in config.json. */
    public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final List<Path> files;
    private final List<Path> helperDirs;

    private CredentialStore(List<Path> files, List<Path> helperDirs) {
        this.files = List.copyOf(files);
        this.helperDirs = List.copyOf(helperDirs);
    }

    /** Only {@code file} (e.g. from {@code --authfile}); helpers are looked up on {@code helperDirs}. */
    public static CredentialStore of(Path file, List<Path> helperDirs) {
        return new CredentialStore(List.of(file), helperDirs);
    }

    /** The default files, helpers on $PATH. */
    public static CredentialStore defaults() {
        List<Path> files = new ArrayList<>();
        Map<String, String> env = System.getenv();
        Path home = oci.image.UserDirs.home();
        String dockerConfig = env.get("DOCKER_CONFIG");
        files.add(dockerConfig != null && !dockerConfig.isEmpty() ? Path.of(dockerConfig, "config.json") : home.resolve(".docker/config.json"));
        if (env.get("REGISTRY_AUTH_FILE") != null) files.add(Path.of(env.get("REGISTRY_AUTH_FILE")));
        if (env.get("XDG_RUNTIME_DIR") != null) files.add(Path.of(env.get("XDG_RUNTIME_DIR"), "containers", "auth.json"));
        String xdgConfig = env.get("XDG_CONFIG_HOME");
        files.add((xdgConfig != null && !xdgConfig.isEmpty() ? Path.of(xdgConfig) : home.resolve(".config")).resolve("containers/auth.json"));
        return new CredentialStore(files, pathDirs());
    }

    /** Directories of $PATH, where {@code docker-credential-*} helpers are found. */
    public static List<Path> pathDirs() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        if (path != null) for (String p : path.split(":")) if (!p.isEmpty()) dirs.add(Path.of(p));
        return dirs;
    }

    /** The file login writes. */
    public Path writeFile() {
        return files.get(0);
    }

    /** The config.json key for a registry domain as written in an image reference. */
    public static String keyFor(String domain) {
        return ImageRef.DOCKER_HUB.equals(normalise(domain)) ? DOCKER_HUB_KEY : domain;
    }

    /** Reduces a config key ({@code https://host:port/v1/}, {@code host}) to the registry domain. */
    static String normalise(String key) {
        String k = key;
        int scheme = k.indexOf("://");
        if (scheme >= 0) k = k.substring(scheme + 3);
        int slash = k.indexOf('/');
        if (slash >= 0) k = k.substring(0, slash);
        if (k.equals("index.docker.io") || k.equals("registry-1.docker.io")) k = ImageRef.DOCKER_HUB;
        return k;
    }

    /** The credential for {@code domain}, or empty for anonymous access. */
    public Optional<Credential> lookup(String domain) {
        String want = normalise(domain);
        for (Path f : files) {
            Object tree = read(f);
            if (tree == null) continue;
            Map<String, Object> root = JsonText.object(tree);
            String helper = helperFor(root, want);
            if (helper != null) {
                Optional<Credential> c = helperGet(helper, keyFor(want));
                if (c.isPresent()) return c;
            }
            for (Map.Entry<String, Object> e : JsonText.object(root.get("auths")).entrySet()) {
                if (!normalise(e.getKey()).equals(want)) continue;
                Credential c = fromEntry(e.getValue(), f, e.getKey());
                if (c != null) return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Saves a credential for {@code domain}; returns a description of where it went. */
    public String save(String domain, Credential credential) {
        Path f = writeFile();
        Map<String, Object> root = readOrEmpty(f);
        String key = keyFor(normalise(domain));
        String helper = helperFor(root, normalise(domain));
        if (helper != null) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("ServerURL", key);
            request.put("Username", credential.username());
            request.put("Secret", credential.secret());
            String input = new String(ModelJson.write(request), StandardCharsets.UTF_8);
            runHelper(helper, "store", input);
            return "credential helper docker-credential-" + helper;
        }
        Map<String, Object> auths = mutableObject(root, "auths");
        removeMatching(auths, normalise(domain));
        String basic = Base64.getEncoder().encodeToString((credential.username() + ":" + credential.secret()).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("auth", basic);
        auths.put(key, entry);
        writePrivate(f, root);
        return f.toString();
    }

    /** Removes the credential for {@code domain}; returns whether there was one. */
    public boolean erase(String domain) {
        Path f = writeFile();
        Map<String, Object> root = readOrEmpty(f);
        String want = normalise(domain);
        String helper = helperFor(root, want);
        boolean removed = false;
        if (helper != null) {
            try {
                runHelper(helper, "erase", keyFor(want));
                removed = true;
            } catch (RegistryException e) {
                // not found in the helper: maybe there is a plain entry below
            }
        }
        if (root.get("auths") instanceof Map<?, ?> && removeMatching(mutableObject(root, "auths"), want)) {
            writePrivate(f, root);
            removed = true;
        }
        return removed;
    }

    private static boolean removeMatching(Map<String, Object> auths, String domain) {
        return auths.keySet().removeIf(k -> normalise(k).equals(domain));
    }

    /** The object member {@code name} of {@code root}, made one (and added) when it is missing or not an object. */
    private static Map<String, Object> mutableObject(Map<String, Object> root, String name) {
        if (root.get(name) instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>(JsonText.object(m));
            root.put(name, copy);
            return copy;
        }
        Map<String, Object> fresh = new LinkedHashMap<>();
        root.put(name, fresh);
        return fresh;
    }

    private static String helperFor(Map<String, Object> root, String domain) {
        for (Map.Entry<String, Object> e : JsonText.object(root.get("credHelpers")).entrySet()) {
            if (normalise(e.getKey()).equals(domain) && e.getValue() instanceof String h && !h.isEmpty()) return h;
        }
        return root.get("credsStore") instanceof String store && !store.isEmpty() ? store : null;
    }

    private static Credential fromEntry(Object value, Path file, String key) {
        Map<String, Object> entry = JsonText.object(value);
        String token = JsonText.text(entry.get("identitytoken"), "");
        String auth = JsonText.text(entry.get("auth"), "");
        String user = JsonText.text(entry.get("username"), "");
        String pass = JsonText.text(entry.get("password"), "");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RegistryException("read credentials " + file + ": auths \"" + key + "\": auth is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw new RegistryException("read credentials " + file + ": auths \"" + key + "\": auth is not user:password");
            user = decoded.substring(0, colon);
            pass = decoded.substring(colon + 1);
        }
        if (user.isEmpty() && pass.isEmpty() && token.isEmpty()) return null;
        return new Credential(user, pass, token.isEmpty() ? null : token);
    }

    private Optional<Credential> helperGet(String helper, String serverUrl) {
        String out;
        try {
            out = runHelper(helper, "get", serverUrl);
        } catch (RegistryException e) {
            if (e.getMessage().contains("credentials not found")) return Optional.empty();
            throw e;
        }
        Map<String, Object> n = JsonText.object(ModelJson.tree(out.getBytes(StandardCharsets.UTF_8), "docker-credential-" + helper + " get"));
        String user = JsonText.text(n.get("Username"), "");
        String secret = JsonText.text(n.get("Secret"), "");
        if (secret.isEmpty()) return Optional.empty();
        // Helpers mark an identity token with the user name "<token>".
        if (user.equals("<token>")) return Optional.of(new Credential("", "", secret));
        return Optional.of(Credential.basic(user, secret));
    }

    /** Runs {@code docker-credential-NAME verb} with {@code input} on stdin and returns its stdout. */
    private String runHelper(String helper, String verb, String input) {
        if (!helper.matches("[A-Za-z0-9_.-]+")) throw new RegistryException("credential helper name \"" + helper + "\" is invalid");
        String prog = "docker-credential-" + helper;
        Path exe = null;
        for (Path d : helperDirs) {
            Path p = d.resolve(prog);
            if (Files.isExecutable(p)) {
                exe = p;
                break;
            }
        }
        if (exe == null) throw new RegistryException("credential helper " + prog + " " + verb + ": not found on PATH");
        try {
            Process p = new ProcessBuilder(exe.toString(), verb).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RegistryException("credential helper " + prog + " " + verb + ": timed out after 30 s");
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                // The helper's output is its error message; it never contains the secret it was asked for.
                String first = text.lines().findFirst().orElse("exit status " + p.exitValue());
                throw new RegistryException("credential helper " + prog + " " + verb + ": " + first);
            }
            return text;
        } catch (IOException e) {
            throw new RegistryException("credential helper " + prog + " " + verb + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("credential helper " + prog + " " + verb + ": interrupted");
        }
    }

    /** The file's JSON as maps and lists, or null when there is no such file. */
    private static Object read(Path f) {
        if (!Files.isRegularFile(f)) return null;
        try {
            return ModelJson.tree(Files.readAllBytes(f), "credentials file " + f);
        } catch (IOException e) {
            throw new RegistryException("read credentials " + f + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readOrEmpty(Path f) {
        Object n = read(f);
        if (n == null) return new LinkedHashMap<>();
        if (!(n instanceof Map<?, ?> o)) throw new RegistryException("read credentials " + f + ": not a JSON object");
        return (Map<String, Object>) o;
    }

    /** Writes {@code root} to {@code f} through a 0600 temp file renamed into place (a secret is never world-readable). */
    private static void writePrivate(Path f, Map<String, Object> root) {
        try {
            Path dir = f.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(dir, ".auth-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, ModelJson.pretty(root).getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new RegistryException("write credentials " + f + ": " + e.getMessage());
        }
    }
}
