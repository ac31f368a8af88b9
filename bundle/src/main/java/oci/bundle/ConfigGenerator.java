package oci.bundle;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oci.bundle.spec.RuntimeSpec;
import oci.bundle.spec.RuntimeSpec.Mount;
import oci.image.ImageConfig;

/**
 * Image config + options → runtime config, per image-spec conversion.md. Starts from {@code runc
 * spec}'s defaults ({@link Defaults}) with docker-run's choices where they differ: docker's
 * default capabilities and seccomp profile, a writable root unless {@code --read-only}, no
 * terminal unless {@code -t}.
 */
public final class ConfigGenerator {
    private ConfigGenerator() {}

    /** An anonymous volume: a directory {@code dir} (relative to the bundle) bound at {@code destination}. */
    public record Volume(String dir, String destination) {}

    /** The config and the volume directories the bundle must hold for it. */
    public record Result(RuntimeSpec spec, List<Volume> volumes) {}

    /**
     * What this host gives the container: the invoking user (mapped to root in a {@code --rootless}
     * bundle) and the capabilities a runtime started from here can grant, which {@code --privileged}
     * and {@code --cap-add ALL} mean (a runtime fails on a capability outside its bounding set).
     */
    public record Host(long uid, long gid, List<String> capabilities) {
        public Host(long uid, long gid) {
            this(uid, gid, Capabilities.ALL);
        }

        public static Host current() {
            com.sun.security.auth.module.UnixSystem u = new com.sun.security.auth.module.UnixSystem();
            return new Host(u.getUid(), u.getGid(), Capabilities.grantable());
        }
    }

    static final String VOLUMES_DIR = "volumes";

    /** Checks every option that does not need the rootfs, so bad input is refused before anything is unpacked. */
    public static void check(BundleOptions o) {
        generateWithoutImage(o);
    }

    private static void generateWithoutImage(BundleOptions o) {
        // the rootfs-dependent part (user lookup) is skipped: a throwaway empty directory would fail names
        new Builder(null, null, null, o, new Host(0, 0), true).build();
    }

    /**
     * Generates the config for {@code image} (null: no image config, e.g. a docker-export tarball)
     * whose unpacked rootfs is {@code rootfs}. {@code imageName} only seeds the default hostname.
     */
    public static Result generate(ImageConfig image, String imageName, Path rootfs, BundleOptions o, Host host) {
        return new Builder(image, imageName, rootfs, o, host, false).build();
    }

    private static final class Builder {
        final ImageConfig.Config ic;
        final ImageConfig image;
        final String imageName;
        final Path rootfs;
        final BundleOptions o;
        final Host host;
        final boolean checkOnly;
        final RuntimeSpec s;
        final List<Volume> volumes = new ArrayList<>();

        Builder(ImageConfig image, String imageName, Path rootfs, BundleOptions o, Host host, boolean checkOnly) {
            this.image = image;
            this.ic = image == null ? ImageConfig.Config.EMPTY : image.config();
            this.imageName = imageName;
            this.rootfs = rootfs;
            this.o = o;
            this.host = host;
            this.checkOnly = checkOnly;
            this.s = Defaults.runcSpec(o.rootless, host.uid(), host.gid());
        }

        Result build() {
            s.root.readonly = o.readOnly ? Boolean.TRUE : null;
            process();
            namespaces(); // before hostname: --uts host forbids one
            hostname();
            mounts();
            resources();
            security();
            annotations();
            hooks();
            return new Result(s, volumes);
        }

        // ---- process: args, env, cwd, user (conversion.md "Verbatim Fields", "Config.User")

        void process() {
            RuntimeSpec.Process p = s.process;
            p.terminal = o.tty;
            List<String> entry = o.entrypoint != null
                    ? (o.entrypoint.isEmpty() ? List.of() : List.of(o.entrypoint))
                    : nonNull(ic.entrypoint());
            List<String> cmd = !o.args.isEmpty() ? o.args : o.entrypoint != null ? List.of() : nonNull(ic.cmd());
            List<String> args = new ArrayList<>(entry);
            args.addAll(cmd);
            if (args.isEmpty() && !checkOnly && image == null) {
                throw new BundleException("a rootfs without an image config has no command: give it after --, e.g. `oci bundle --rootfs-tar FILE DIR -- sh`");
            }
            if (args.isEmpty() && !checkOnly) {
                throw new BundleException("image " + (imageName == null ? "" : imageName + " ")
                        + "has no Entrypoint or Cmd: give the command after --, e.g. `oci bundle IMAGE DIR -- sh`");
            }
            p.args = args;

            Map<String, String> env = new LinkedHashMap<>();
            for (String e : ic.env()) {
                // the image's own entries are taken as they are; one without '=' names nothing to set
                int eq = e.indexOf('=');
                if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1));
            }
            // conversion.md note 1: may add entries, never ones the image sets
            if (!env.containsKey("PATH")) {
                Map<String, String> withPath = new LinkedHashMap<>();
                withPath.put("PATH", Defaults.PATH.substring(5));
                withPath.putAll(env);
                env = withPath;
            }
            for (Path f : o.envFiles) for (String e : readEnvFile(f)) putEnv(env, e, "--env-file " + f);
            for (String e : o.env) putEnv(env, e, "-e");
            if (o.tty && !env.containsKey("TERM")) env.put("TERM", "xterm");

            String cwd = o.workdir != null ? o.workdir : ic.workingDir();
            if (o.workdir != null && !o.workdir.startsWith("/")) {
                throw new BundleException("--workdir \"" + o.workdir + "\": must be an absolute path");
            }
            if (cwd == null || cwd.isEmpty()) cwd = "/";
            if (!cwd.startsWith("/")) cwd = "/" + cwd; // docker reads a relative WorkingDir from /
            p.cwd = normalize(cwd);

            String user = o.user != null ? o.user : ic.user();
            if (!checkOnly) {
                Users.Resolved u = Users.resolve(rootfs, user);
                if (o.rootless && (u.uid() != 0 || u.gid() != 0 || !u.additionalGids().isEmpty())) {
                    throw new BundleException("user \"" + user + "\" (uid " + u.uid() + ", gid " + u.gid()
                            + "): --rootless maps only uid 0 and gid 0 to you; use -u 0:0");
                }
                p.user.uid = u.uid();
                p.user.gid = u.gid();
                p.user.additionalGids = u.additionalGids().isEmpty() ? null : new ArrayList<>(u.additionalGids());
                if (!env.containsKey("HOME")) env.put("HOME", u.home() != null ? u.home() : "/");
            } else if (user != null && user.contains(":") && (user.startsWith(":") || user.endsWith(":"))) {
                Users.resolve(Path.of("/nonexistent"), user); // form errors only
            }
            List<String> out = new ArrayList<>();
            env.forEach((k, v) -> out.add(k + "=" + v));
            p.env = out;
        }

        private static void putEnv(Map<String, String> env, String e, String where) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
                throw new BundleException(where + " \"" + e + "\": not KEY=VALUE");
            }
            if (eq < 0) {
                // docker: a bare name takes this process's value, or is left out
                String v = System.getenv(key);
                if (v != null) env.put(key, v);
                return;
            }
            env.put(key, e.substring(eq + 1));
        }

        private static List<String> readEnvFile(Path f) {
            List<String> lines;
            try {
                lines = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).lines().toList();
            } catch (IOException e) {
                throw new BundleException("read --env-file " + f + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
            }
            List<String> out = new ArrayList<>();
            for (String l : lines) {
                String t = l.stripLeading();
                if (t.isEmpty() || t.startsWith("#")) continue;
                out.add(t);
            }
            return out;
        }

        // ---- hostname

        void hostname() {
            if (o.hostname != null) {
                if (!o.hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})")) {
                    throw new BundleException("--hostname \"" + o.hostname + "\": not a host name (letters, digits, '-' and '.', at most 63)");
                }
                if (!hasNamespace("uts")) throw new BundleException("--hostname: cannot set a host name with --uts host");
                s.hostname = o.hostname;
            } else {
                s.hostname = hasNamespace("uts") ? defaultHostname(imageName) : null;
            }
        }

        static String defaultHostname(String imageName) {
            if (imageName == null) return "oci";
            // bundled by digest: the first 12 hex digits, as docker names containers
            if (imageName.startsWith("sha256:") && imageName.length() >= 19) return imageName.substring(7, 19);
            String n = imageName;
            int at = n.indexOf('@');
            if (at >= 0) n = n.substring(0, at);
            n = n.substring(n.lastIndexOf('/') + 1);
            int colon = n.indexOf(':');
            if (colon >= 0) n = n.substring(0, colon);
            n = n.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
            if (n.length() > 63) n = n.substring(0, 63);
            return n.isEmpty() ? "oci" : n;
        }

        // ---- namespaces (config-linux.md "Namespaces")

        void namespaces() {
            List<RuntimeSpec.Namespace> ns = s.linux.namespaces;
            if (o.net != null) {
                String n = o.net;
                if (n.equals("host")) ns.removeIf(x -> x.type.equals("network"));
                else if (n.equals("none")) {
                    if (!hasNamespace("network")) ns.add(1, new RuntimeSpec.Namespace("network", null));
                } else if (n.startsWith("ns:")) {
                    String path = n.substring(3);
                    if (!path.startsWith("/")) throw new BundleException("--net " + n + ": the namespace path must be absolute");
                    ns.removeIf(x -> x.type.equals("network"));
                    ns.add(1, new RuntimeSpec.Namespace("network", path));
                } else {
                    throw new BundleException("--net \"" + n + "\": expected host, none or ns:PATH");
                }
            }
            hostOnly("--pid", o.pid, "pid");
            hostOnly("--ipc", o.ipc, "ipc");
            hostOnly("--uts", o.uts, "uts");
        }

        private void hostOnly(String option, String value, String type) {
            if (value == null) return;
            if (!value.equals("host")) throw new BundleException(option + " \"" + value + "\": only \"host\" is supported");
            s.linux.namespaces.removeIf(x -> x.type.equals(type));
        }

        private boolean hasNamespace(String type) {
            return s.linux.namespaces.stream().anyMatch(x -> x.type.equals(type));
        }

        // ---- mounts: image Volumes (conversion.md "Optional Fields"), -v, --mount, --tmpfs

        void mounts() {
            List<Mount> ms = s.mounts;
            if (o.privileged) {
                for (Mount m : ms) {
                    if (m.destination.equals("/sys") || m.destination.equals("/sys/fs/cgroup")) m.options.remove("ro");
                }
            }
            List<Mount> user = new ArrayList<>();
            for (String v : o.volumes) user.add(Mounts.volume(v));
            for (String m : o.mounts) user.add(Mounts.mount(m));
            for (String t : o.tmpfs) user.add(Mounts.tmpfs(t));
            // image volumes, in path order (Volumes is a set); a user mount at the same place replaces one
            int n = 0;
            for (String dst : new TreeMap<>(ic.volumes()).keySet()) {
                String d = Mounts.destination(dst, "image volume");
                if (user.stream().anyMatch(m -> m.destination.equals(d))) continue;
                String dir = VOLUMES_DIR + "/" + n++;
                volumes.add(new Volume(dir, d));
                add(ms, new Mount(d, "bind", dir, List.of("rbind", "rprivate")));
            }
            for (Mount m : user) add(ms, m);
        }

        private static void add(List<Mount> ms, Mount m) {
            for (int i = 0; i < ms.size(); i++) {
                if (ms.get(i).destination.equals(m.destination)) {
                    ms.set(i, m);
                    return;
                }
            }
            ms.add(m);
        }

        // ---- cgroup resources (config-linux.md "Control groups")

        void resources() {
            boolean any = o.memory != null || o.cpus != null || o.cpusetCpus != null || o.pidsLimit != null;
            if (o.rootless) {
                if (any) throw new BundleException("--memory, --cpus, --cpuset-cpus and --pids-limit need cgroups, which a --rootless bundle does not configure");
                return;
            }
            RuntimeSpec.Resources r = s.linux.resources;
            if (o.privileged) r.devices = new ArrayList<>(List.of(new RuntimeSpec.DeviceCgroup(true, null, null, null, "rwm")));
            if (o.memory != null) {
                r.memory = new RuntimeSpec.Memory();
                r.memory.limit = parseBytes(o.memory, "--memory");
            }
            if (o.cpus != null || o.cpusetCpus != null) r.cpu = new RuntimeSpec.Cpu();
            if (o.cpus != null) {
                BigDecimal c;
                try {
                    c = new BigDecimal(o.cpus.trim());
                } catch (NumberFormatException e) {
                    throw new BundleException("--cpus \"" + o.cpus + "\": not a number of CPUs like 1.5");
                }
                if (c.signum() <= 0) throw new BundleException("--cpus \"" + o.cpus + "\": must be greater than 0");
                long period = 100_000; // microseconds, the kernel's default CFS period
                long quota = c.multiply(BigDecimal.valueOf(period)).longValue();
                if (quota < 1000) throw new BundleException("--cpus \"" + o.cpus + "\": must be at least 0.01");
                r.cpu.quota = quota;
                r.cpu.period = period;
            }
            if (o.cpusetCpus != null) {
                if (!o.cpusetCpus.matches(Validator.CPUSET)) throw new BundleException("--cpuset-cpus \"" + o.cpusetCpus + "\": not a CPU list like 0-3,7");
                r.cpu.cpus = o.cpusetCpus;
            }
            if (o.pidsLimit != null && o.pidsLimit > 0) {
                r.pids = new RuntimeSpec.Pids();
                r.pids.limit = o.pidsLimit;
            }
        }

        private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

        static long parseBytes(String v, String option) {
            Matcher m = BYTES.matcher(v.trim());
            if (!m.matches()) throw new BundleException(option + " \"" + v + "\": not a size like 512m or 2g (units b, k, m, g, t)");
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                case "p" -> 50;
                default -> 0;
            };
            BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(shift));
            if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new BundleException(option + " \"" + v + "\": too large");
            long b = bytes.longValue();
            if (b <= 0) throw new BundleException(option + " \"" + v + "\": must be greater than 0");
            return b;
        }

        // ---- capabilities, seccomp, masked paths

        void security() {
            List<String> base = o.privileged ? host.capabilities() : Capabilities.CONTAINER_DEFAULT;
            List<String> caps = Capabilities.apply(base, o.capAdd, o.capDrop, host.capabilities());
            RuntimeSpec.Capabilities c = s.process.capabilities;
            c.bounding = new ArrayList<>(caps);
            c.effective = new ArrayList<>(caps);
            c.permitted = new ArrayList<>(caps);
            c.ambient = null; // as docker: a non-root user gets no capabilities after exec
            if (o.privileged) {
                s.linux.maskedPaths = null;
                s.linux.readonlyPaths = null;
            }
            String arch = image != null && image.architecture() != null ? image.architecture() : hostArchitecture();
            String sc = o.seccomp == null ? (o.privileged ? "unconfined" : "default") : o.seccomp;
            switch (sc) {
                case "unconfined" -> s.linux.seccomp = null;
                case "default" -> s.linux.seccomp = SeccompProfiles.defaultProfile(arch, caps);
                default -> {
                    Path f = Path.of(sc);
                    if (!Files.isRegularFile(f)) throw new BundleException("--seccomp " + sc + ": no such file (or use default, unconfined)");
                    s.linux.seccomp = SeccompProfiles.fromFile(f, arch, caps);
                }
            }
        }

        static String hostArchitecture() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64" -> "arm64";
                default -> System.getProperty("os.arch");
            };
        }

        // ---- annotations (conversion.md "Annotation Fields", "Annotations")

        void annotations() {
            Map<String, String> a = new LinkedHashMap<>();
            if (image != null) {
                put(a, "org.opencontainers.image.os", image.os());
                put(a, "org.opencontainers.image.architecture", image.architecture());
                put(a, "org.opencontainers.image.variant", image.variant());
                put(a, "org.opencontainers.image.os.version", image.osVersion());
                if (image.osFeatures() != null && !image.osFeatures().isEmpty()) {
                    a.put("org.opencontainers.image.os.features", String.join(",", image.osFeatures()));
                }
                put(a, "org.opencontainers.image.author", image.author());
                put(a, "org.opencontainers.image.created", image.created());
            }
            put(a, "org.opencontainers.image.stopSignal", ic.stopSignal());
            if (!ic.exposedPorts().isEmpty()) {
                a.put("org.opencontainers.image.exposedPorts", String.join(",", new TreeMap<>(ic.exposedPorts()).keySet()));
            }
            // Labels take precedence over the implicit annotations
            a.putAll(new TreeMap<>(ic.labels()));
            for (String kv : o.annotations) {
                int eq = kv.indexOf('=');
                if (eq <= 0) throw new BundleException("--annotation \"" + kv + "\": expected KEY=VALUE");
                a.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            s.annotations = a.isEmpty() ? null : a;
        }

        private static void put(Map<String, String> a, String k, String v) {
            if (v != null && !v.isEmpty()) a.put(k, v);
        }

        // ---- hooks (config.md "POSIX-platform Hooks")

        void hooks() {
            if (o.hooks.isEmpty()) return;
            RuntimeSpec.Hooks h = new RuntimeSpec.Hooks();
            for (String spec : o.hooks) {
                int eq = spec.indexOf('=');
                String stage = eq < 0 ? spec : spec.substring(0, eq);
                String cmd = eq < 0 ? "" : spec.substring(eq + 1).trim();
                if (!Validator.HOOK_STAGES.contains(stage)) {
                    throw new BundleException("--hook \"" + spec + "\": unknown stage \"" + stage
                            + "\" (prestart, createRuntime, createContainer, startContainer, poststart, poststop)");
                }
                if (cmd.isEmpty()) throw new BundleException("--hook \"" + spec + "\": expected STAGE=/path/to/program [ARG...]");
                RuntimeSpec.Hook hook = new RuntimeSpec.Hook();
                hook.args = new ArrayList<>(List.of(cmd.split("\\s+")));
                hook.path = hook.args.getFirst();
                if (!hook.path.startsWith("/")) throw new BundleException("--hook \"" + spec + "\": the program must be an absolute path");
                List<RuntimeSpec.Hook> list = switch (stage) {
                    case "prestart" -> h.prestart == null ? h.prestart = new ArrayList<>() : h.prestart;
                    case "createRuntime" -> h.createRuntime == null ? h.createRuntime = new ArrayList<>() : h.createRuntime;
                    case "createContainer" -> h.createContainer == null ? h.createContainer = new ArrayList<>() : h.createContainer;
                    case "startContainer" -> h.startContainer == null ? h.startContainer = new ArrayList<>() : h.startContainer;
                    case "poststart" -> h.poststart == null ? h.poststart = new ArrayList<>() : h.poststart;
                    default -> h.poststop == null ? h.poststop = new ArrayList<>() : h.poststop;
                };
                list.add(hook);
            }
            s.hooks = h;
        }
    }

    static long parseBytes(String v, String option) {
        return Builder.parseBytes(v, option);
    }

    static String defaultHostname(String imageName) {
        return Builder.defaultHostname(imageName);
    }

    private static List<String> nonNull(List<String> l) {
        return l == null ? List.of() : l;
    }

    /** Collapses {@code //}, {@code .} and {@code ..} in an absolute path (never above /). */
    static String normalize(String abs) {
        List<String> out = new ArrayList<>();
        for (String p : abs.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
            } else {
                out.add(p);
            }
        }
        return "/" + String.join("/", out);
    }
}
