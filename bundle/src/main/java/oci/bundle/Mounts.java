package oci.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import oci.bundle.spec.RuntimeSpec.Mount;

/** Parses docker-run's mount options into runtime-spec mounts (config.md "Mounts"). */
final class Mounts {
    private Mounts() {}

    static final Set<String> PROPAGATION = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");

    /** {@code SRC:DST[:ro|rw][,propagation]}: a recursive bind of an existing host path. */
    static Mount volume(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new BundleException("--volume \"" + spec + "\": expected SRC:DST[:ro|rw] (named volumes are not supported)");
        }
        String src = source(parts[0], "--volume \"" + spec + "\"");
        String dst = destination(parts[1], "--volume \"" + spec + "\"");
        List<String> opts = new ArrayList<>(List.of("rbind"));
        String propagation = "rprivate";
        boolean ro = false;
        if (parts.length == 3) {
            for (String o : parts[2].split(",")) {
                switch (o) {
                    case "ro" -> ro = true;
                    case "rw" -> ro = false;
                    default -> {
                        if (!PROPAGATION.contains(o)) {
                            throw new BundleException("--volume \"" + spec + "\": unknown option \"" + o + "\" (ro, rw, or a propagation like rprivate)");
                        }
                        propagation = o;
                    }
                }
            }
        }
        opts.add(propagation);
        if (ro) opts.add("ro");
        return new Mount(dst, "bind", src, opts);
    }

    /** {@code type=bind|tmpfs,source=..,destination=..,readonly,bind-propagation=..,tmpfs-size=..,tmpfs-mode=..}. */
    static Mount mount(String spec) {
        String what = "--mount \"" + spec + "\"";
        String type = null, src = null, dst = null, propagation = null, size = null, mode = null;
        boolean ro = false;
        for (String kv : spec.split(",")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            String k = (eq < 0 ? kv : kv.substring(0, eq)).trim();
            String v = eq < 0 ? null : kv.substring(eq + 1).trim();
            switch (k) {
                case "type" -> type = v;
                case "source", "src" -> src = v;
                case "destination", "dst", "target" -> dst = v;
                case "readonly", "ro" -> {
                    if (v == null || v.equals("true") || v.equals("1")) ro = true;
                    else if (v.equals("false") || v.equals("0")) ro = false;
                    else throw new BundleException(what + ": readonly=" + v + " (expected true or false)");
                }
                case "bind-propagation" -> propagation = v;
                case "tmpfs-size" -> size = v;
                case "tmpfs-mode" -> mode = v;
                default -> throw new BundleException(what + ": unknown key \"" + k + "\"");
            }
        }
        if (type == null) throw new BundleException(what + ": type= is required (bind or tmpfs)");
        if (dst == null) throw new BundleException(what + ": destination= is required");
        dst = destination(dst, what);
        switch (type) {
            case "bind" -> {
                if (src == null) throw new BundleException(what + ": source= is required for a bind mount");
                if (size != null || mode != null) throw new BundleException(what + ": tmpfs-size and tmpfs-mode are only for type=tmpfs");
                if (propagation != null && !PROPAGATION.contains(propagation)) {
                    throw new BundleException(what + ": unknown bind-propagation \"" + propagation + "\"");
                }
                List<String> opts = new ArrayList<>(List.of("rbind", propagation == null ? "rprivate" : propagation));
                if (ro) opts.add("ro");
                return new Mount(dst, "bind", source(src, what), opts);
            }
            case "tmpfs" -> {
                if (src != null) throw new BundleException(what + ": a tmpfs mount takes no source");
                if (propagation != null) throw new BundleException(what + ": bind-propagation is only for type=bind");
                List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
                if (size != null) opts.add("size=" + ConfigGenerator.parseBytes(size, what + " tmpfs-size"));
                if (mode != null) {
                    if (!mode.matches("[0-7]{1,4}")) throw new BundleException(what + ": tmpfs-mode \"" + mode + "\" is not an octal mode");
                    opts.add("mode=" + mode);
                }
                if (ro) opts.add("ro");
                return new Mount(dst, "tmpfs", "tmpfs", opts);
            }
            case "volume" -> throw new BundleException(what + ": named volumes are not supported (use type=bind)");
            default -> throw new BundleException(what + ": unknown type \"" + type + "\" (bind or tmpfs)");
        }
    }

    /** {@code DST[:opt,opt]}: a tmpfs, nosuid,nodev,noexec unless the options say exec, dev or suid. */
    static Mount tmpfs(String spec) {
        int colon = spec.indexOf(':');
        String what = "--tmpfs \"" + spec + "\"";
        String dst = destination(colon < 0 ? spec : spec.substring(0, colon), what);
        List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
        if (colon >= 0) {
            for (String o : spec.substring(colon + 1).split(",")) {
                if (o.isBlank()) continue;
                if (o.contains(" ")) throw new BundleException(what + ": option \"" + o + "\" contains a space");
                switch (o) {
                    case "exec" -> opts.remove("noexec");
                    case "dev" -> opts.remove("nodev");
                    case "suid" -> opts.remove("nosuid");
                    default -> {
                        if (!opts.contains(o)) opts.add(o);
                    }
                }
            }
        }
        return new Mount(dst, "tmpfs", "tmpfs", opts);
    }

    /** A mount destination: absolute (config.md "Mounts"), normalised; / itself is refused. */
    static String destination(String dst, String what) {
        if (dst.isEmpty()) throw new BundleException(what + ": the destination is empty");
        if (!dst.startsWith("/")) throw new BundleException(what + ": the destination \"" + dst + "\" must be an absolute path");
        String n = ConfigGenerator.normalize(dst);
        if (n.equals("/")) throw new BundleException(what + ": cannot mount over the container's /");
        return n;
    }

    /** A bind source: an absolute host path that exists. */
    private static String source(String src, String what) {
        if (src.isEmpty()) throw new BundleException(what + ": the source is empty");
        if (!src.startsWith("/")) throw new BundleException(what + ": the source \"" + src + "\" must be an absolute host path (named volumes are not supported)");
        if (!Files.exists(Path.of(src))) throw new BundleException(what + ": the source " + src + " does not exist");
        return ConfigGenerator.normalize(src);
    }
}
