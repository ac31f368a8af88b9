package oci.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a config.json against the rules of runtime-spec config.md and config-linux.md (v1.2) and
 * reports every problem with the JSON path of the value that breaks it, e.g.
 * {@code $.mounts[3].destination: must be an absolute path}. Works on the JSON tree, not the model,
 * so a value of the wrong type is reported rather than failing the parse.
 */
public final class Validator {
    /** One broken rule: where ({@code $.linux.namespaces[2].type}) and what. */
    public record Problem(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    static final Set<String> NAMESPACES = Set.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");
    static final Set<String> RLIMITS = Set.of("RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",
            "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
            "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");
    static final Set<String> SECCOMP_ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
    static final Set<String> SECCOMP_OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
            "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
    static final Set<String> SECCOMP_ARCHES = Set.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");
    static final Set<String> SECCOMP_FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    static final Set<String> HOOK_STAGES = Set.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");
    static final Set<String> PROPAGATIONS = Set.of("private", "shared", "slave", "unbindable");
    static final Set<String> SCHED_POLICIES = Set.of("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
            "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
    static final Set<String> IO_CLASSES = Set.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
    /** SemVer 2.0.0 (the spec says ociVersion is one). */
    static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    static final long UINT32_MAX = 0xFFFF_FFFFL;

    private final List<Problem> problems = new ArrayList<>();

    private Validator() {}

    /** Reads {@code bundle/config.json} and validates it; the bundle's rootfs must exist too. */
    public static List<Problem> validateBundle(Path bundle) {
        Path config = bundle.resolve(ConfigFile.NAME);
        if (!Files.isRegularFile(config)) {
            return List.of(new Problem("$", "no config.json in " + bundle));
        }
        JsonNode root;
        try {
            root = readTree(Files.readAllBytes(config));
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            return List.of(new Problem("$", "not valid JSON: " + m));
        }
        Validator v = new Validator();
        v.config(root);
        JsonNode rootPath = root.path("root").path("path");
        if (rootPath.isTextual() && !rootPath.asText().isEmpty()) {
            Path rootfs = bundle.resolve(rootPath.asText());
            if (!Files.isDirectory(rootfs)) v.problem("$.root.path", "directory " + rootfs + " does not exist");
        }
        return List.copyOf(v.problems);
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    /**
     * JSON text as the tree {@code ObjectMapper.readTree} makes of it (a later duplicate key wins;
     * no text: a missing node), read with jackson-core's parser: an ObjectMapper's start-up (its
     * deserializer caches, type factory and introspection) costs more CPU in a fresh JVM than
     * `oci validate` does otherwise. ValidatorTest compares the two.
     */
    static JsonNode readTree(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            return t == null ? MissingNode.getInstance() : node(p, t);
        }
    }

    private static JsonNode node(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) o.replace(name, node(p, p.nextToken()));
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(node(p, e));
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> f.numberNode(p.getIntValue());
                    case LONG -> f.numberNode(p.getLongValue());
                    default -> f.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return f.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE -> {
                return f.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return f.booleanNode(false);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> throw new IOException("unexpected " + t + " at " + p.currentLocation());
        }
    }

    /** Validates a parsed config.json. */
    public static List<Problem> validate(JsonNode config) {
        Validator v = new Validator();
        v.config(config);
        return List.copyOf(v.problems);
    }

    private void problem(String path, String message) {
        problems.add(new Problem(path, message));
    }

    private void config(JsonNode c) {
        if (!object(c, "$")) return;
        // config.md "Specification version": REQUIRED, SemVer 2.0.0
        JsonNode v = c.get("ociVersion");
        if (v == null) problem("$.ociVersion", "is required");
        else if (string(v, "$.ociVersion") && !SEMVER.matcher(v.asText()).matches()) {
            problem("$.ociVersion", "\"" + v.asText() + "\" is not a SemVer 2.0.0 version");
        }
        // config.md "Root": REQUIRED on Linux
        JsonNode root = c.get("root");
        if (root == null) problem("$.root", "is required");
        else if (object(root, "$.root")) {
            JsonNode p = root.get("path");
            if (p == null) problem("$.root.path", "is required");
            else if (string(p, "$.root.path") && p.asText().isEmpty()) problem("$.root.path", "must not be empty");
            bool(root.get("readonly"), "$.root.readonly");
        }
        if (c.has("process")) process(c.get("process"));
        string(c.get("hostname"), "$.hostname");
        string(c.get("domainname"), "$.domainname");
        mounts(c.get("mounts"), "$.mounts");
        if (c.has("hooks")) hooks(c.get("hooks"));
        if (c.has("annotations") && object(c.get("annotations"), "$.annotations")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("annotations").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "$.annotations" + key(e.getKey());
                if (e.getKey().isEmpty()) problem(at, "key must not be empty");
                string(e.getValue(), at);
            }
        }
        Set<String> namespaces = new HashSet<>();
        if (c.has("linux")) linux(c.get("linux"), namespaces);
        // config.md "Hostname": without a UTS namespace of its own the container would rename the host;
        // runtimes (runc among them) refuse that, so it is reported
        boolean hasLinux = c.has("linux") && c.get("linux").isObject();
        if (hasLinux && !namespaces.contains("uts")) {
            if (c.has("hostname") && !c.get("hostname").asText().isEmpty()) {
                problem("$.hostname", "needs a uts namespace in $.linux.namespaces (else it renames the host)");
            }
            if (c.has("domainname") && !c.get("domainname").asText().isEmpty()) {
                problem("$.domainname", "needs a uts namespace in $.linux.namespaces (else it renames the host)");
            }
        }
    }

    private void process(JsonNode p) {
        String at = "$.process";
        if (!object(p, at)) return;
        bool(p.get("terminal"), at + ".terminal");
        if (p.has("consoleSize") && object(p.get("consoleSize"), at + ".consoleSize")) {
            if (!p.path("terminal").asBoolean(false)) problem(at + ".consoleSize", "is only allowed with terminal true");
            uint(p.get("consoleSize").get("height"), at + ".consoleSize.height", Long.MAX_VALUE, true);
            uint(p.get("consoleSize").get("width"), at + ".consoleSize.width", Long.MAX_VALUE, true);
        }
        // config.md "POSIX process": user.uid and user.gid REQUIRED
        JsonNode u = p.get("user");
        if (u == null) problem(at + ".user", "is required");
        else if (object(u, at + ".user")) {
            uint(u.get("uid"), at + ".user.uid", UINT32_MAX, true);
            uint(u.get("gid"), at + ".user.gid", UINT32_MAX, true);
            uint(u.get("umask"), at + ".user.umask", 0777, false);
            JsonNode g = u.get("additionalGids");
            if (array(g, at + ".user.additionalGids")) {
                for (int i = 0; i < g.size(); i++) uint(g.get(i), at + ".user.additionalGids[" + i + "]", UINT32_MAX, true);
            }
            string(u.get("username"), at + ".user.username");
        }
        // config.md: args REQUIRED with at least one entry on POSIX platforms; cwd REQUIRED, absolute
        JsonNode args = p.get("args");
        if (args == null) problem(at + ".args", "is required");
        else if (array(args, at + ".args")) {
            if (args.isEmpty()) problem(at + ".args", "must have at least one entry");
            strings(args, at + ".args");
        }
        JsonNode env = p.get("env");
        if (array(env, at + ".env")) {
            for (int i = 0; i < env.size(); i++) {
                String e = at + ".env[" + i + "]";
                if (string(env.get(i), e) && env.get(i).asText().indexOf('=') <= 0) problem(e, "must be KEY=value");
            }
        }
        JsonNode cwd = p.get("cwd");
        if (cwd == null) problem(at + ".cwd", "is required");
        else absolute(cwd, at + ".cwd");
        JsonNode caps = p.get("capabilities");
        if (caps != null && object(caps, at + ".capabilities")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = caps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String set = at + ".capabilities." + e.getKey();
                if (!Set.of("bounding", "effective", "inheritable", "permitted", "ambient").contains(e.getKey())) continue;
                if (!array(e.getValue(), set)) continue;
                for (int i = 0; i < e.getValue().size(); i++) {
                    JsonNode n = e.getValue().get(i);
                    if (string(n, set + "[" + i + "]") && !Capabilities.isKnown(n.asText())) {
                        problem(set + "[" + i + "]", "unknown capability \"" + n.asText() + "\"");
                    }
                }
            }
        }
        JsonNode rl = p.get("rlimits");
        if (array(rl, at + ".rlimits")) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < rl.size(); i++) {
                String r = at + ".rlimits[" + i + "]";
                if (!object(rl.get(i), r)) continue;
                JsonNode t = rl.get(i).get("type");
                if (t == null) problem(r + ".type", "is required");
                else if (string(t, r + ".type")) {
                    if (!RLIMITS.contains(t.asText())) problem(r + ".type", "unknown rlimit \"" + t.asText() + "\"");
                    else if (!seen.add(t.asText())) problem(r + ".type", "duplicate rlimit " + t.asText());
                }
                uint(rl.get(i).get("soft"), r + ".soft", Long.MAX_VALUE, true);
                uint(rl.get(i).get("hard"), r + ".hard", Long.MAX_VALUE, true);
                JsonNode soft = rl.get(i).get("soft"), hard = rl.get(i).get("hard");
                if (soft != null && hard != null && soft.isIntegralNumber() && hard.isIntegralNumber()
                        && Long.compareUnsigned(soft.asLong(), hard.asLong()) > 0) {
                    problem(r + ".soft", "is greater than hard");
                }
            }
        }
        bool(p.get("noNewPrivileges"), at + ".noNewPrivileges");
        JsonNode oom = p.get("oomScoreAdj");
        if (oom != null && (!oom.isIntegralNumber() || oom.asInt() < -1000 || oom.asInt() > 1000)) {
            problem(at + ".oomScoreAdj", "must be an integer from -1000 to 1000");
        }
        if (p.has("scheduler") && object(p.get("scheduler"), at + ".scheduler")) {
            JsonNode pol = p.get("scheduler").get("policy");
            if (pol == null) problem(at + ".scheduler.policy", "is required");
            else if (string(pol, at + ".scheduler.policy") && !SCHED_POLICIES.contains(pol.asText())) {
                problem(at + ".scheduler.policy", "unknown policy \"" + pol.asText() + "\"");
            }
        }
        if (p.has("ioPriority") && object(p.get("ioPriority"), at + ".ioPriority")) {
            JsonNode cl = p.get("ioPriority").get("class");
            if (cl == null) problem(at + ".ioPriority.class", "is required");
            else if (string(cl, at + ".ioPriority.class") && !IO_CLASSES.contains(cl.asText())) {
                problem(at + ".ioPriority.class", "unknown class \"" + cl.asText() + "\"");
            }
        }
    }

    private void mounts(JsonNode ms, String at) {
        if (!array(ms, at)) return;
        for (int i = 0; i < ms.size(); i++) {
            String m = at + "[" + i + "]";
            if (!object(ms.get(i), m)) continue;
            JsonNode d = ms.get(i).get("destination");
            // config.md "Mounts": destination REQUIRED; on Linux it MUST be absolute
            if (d == null) problem(m + ".destination", "is required");
            else absolute(d, m + ".destination");
            string(ms.get(i).get("type"), m + ".type");
            string(ms.get(i).get("source"), m + ".source");
            if (array(ms.get(i).get("options"), m + ".options")) strings(ms.get(i).get("options"), m + ".options");
            idMappings(ms.get(i).get("uidMappings"), m + ".uidMappings");
            idMappings(ms.get(i).get("gidMappings"), m + ".gidMappings");
        }
    }

    private void hooks(JsonNode h) {
        if (!object(h, "$.hooks")) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String stage = "$.hooks." + e.getKey();
            if (!HOOK_STAGES.contains(e.getKey())) {
                problem(stage, "unknown hook stage (known: prestart, createRuntime, createContainer, startContainer, poststart, poststop)");
                continue;
            }
            if (!array(e.getValue(), stage)) continue;
            for (int i = 0; i < e.getValue().size(); i++) {
                String hk = stage + "[" + i + "]";
                JsonNode hook = e.getValue().get(i);
                if (!object(hook, hk)) continue;
                // config.md "POSIX-platform Hooks": path REQUIRED, absolute
                if (hook.get("path") == null) problem(hk + ".path", "is required");
                else absolute(hook.get("path"), hk + ".path");
                if (array(hook.get("args"), hk + ".args")) strings(hook.get("args"), hk + ".args");
                if (array(hook.get("env"), hk + ".env")) strings(hook.get("env"), hk + ".env");
                JsonNode t = hook.get("timeout");
                if (t != null && (!t.isIntegralNumber() || t.asLong() <= 0)) problem(hk + ".timeout", "must be an integer greater than zero");
            }
        }
    }

    private void linux(JsonNode l, Set<String> namespaces) {
        String at = "$.linux";
        if (!object(l, at)) return;
        JsonNode ns = l.get("namespaces");
        if (array(ns, at + ".namespaces")) {
            for (int i = 0; i < ns.size(); i++) {
                String n = at + ".namespaces[" + i + "]";
                if (!object(ns.get(i), n)) continue;
                JsonNode t = ns.get(i).get("type");
                if (t == null) problem(n + ".type", "is required");
                else if (string(t, n + ".type")) {
                    if (!NAMESPACES.contains(t.asText())) {
                        problem(n + ".type", "unknown namespace type \"" + t.asText() + "\" (known: " + String.join(", ", sorted(NAMESPACES)) + ")");
                    } else if (!namespaces.add(t.asText())) {
                        // config-linux.md "Namespaces": duplicated namespaces are an error
                        problem(n + ".type", "duplicate namespace " + t.asText());
                    }
                }
                if (ns.get(i).has("path")) absolute(ns.get(i).get("path"), n + ".path");
            }
        }
        // config-linux.md "User namespace mappings": mappings need a user namespace
        for (String f : List.of("uidMappings", "gidMappings")) {
            if (!l.has(f)) continue;
            idMappings(l.get(f), at + "." + f);
            if (!namespaces.contains("user")) problem(at + "." + f, "needs a user namespace in $.linux.namespaces");
        }
        if (l.has("sysctl") && object(l.get("sysctl"), at + ".sysctl")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = l.get("sysctl").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                string(e.getValue(), at + ".sysctl" + key(e.getKey()));
            }
        }
        string(l.get("cgroupsPath"), at + ".cgroupsPath");
        if (l.has("resources")) resources(l.get("resources"), at + ".resources");
        JsonNode devs = l.get("devices");
        if (array(devs, at + ".devices")) {
            for (int i = 0; i < devs.size(); i++) {
                String d = at + ".devices[" + i + "]";
                if (!object(devs.get(i), d)) continue;
                JsonNode t = devs.get(i).get("type");
                if (t == null) problem(d + ".type", "is required");
                else if (string(t, d + ".type") && !Set.of("c", "b", "u", "p").contains(t.asText())) {
                    problem(d + ".type", "must be one of c, b, u, p");
                }
                if (devs.get(i).get("path") == null) problem(d + ".path", "is required");
                else absolute(devs.get(i).get("path"), d + ".path");
                if (t != null && !"p".equals(t.asText())) {
                    if (devs.get(i).get("major") == null) problem(d + ".major", "is required for type " + t.asText());
                    if (devs.get(i).get("minor") == null) problem(d + ".minor", "is required for type " + t.asText());
                }
                uint(devs.get(i).get("major"), d + ".major", Long.MAX_VALUE, false);
                uint(devs.get(i).get("minor"), d + ".minor", Long.MAX_VALUE, false);
            }
        }
        if (l.has("seccomp")) seccomp(l.get("seccomp"), at + ".seccomp");
        JsonNode prop = l.get("rootfsPropagation");
        if (prop != null && string(prop, at + ".rootfsPropagation") && !PROPAGATIONS.contains(prop.asText())) {
            problem(at + ".rootfsPropagation", "must be one of private, shared, slave, unbindable");
        }
        for (String f : List.of("maskedPaths", "readonlyPaths")) {
            JsonNode ps = l.get(f);
            if (array(ps, at + "." + f)) for (int i = 0; i < ps.size(); i++) absolute(ps.get(i), at + "." + f + "[" + i + "]");
        }
        string(l.get("mountLabel"), at + ".mountLabel");
        // config-linux.md "Personality": domain LINUX or LINUX32
        JsonNode pers = l.get("personality");
        if (pers != null && object(pers, at + ".personality")) {
            JsonNode d = pers.get("domain");
            if (d == null) problem(at + ".personality.domain", "is required");
            else if (string(d, at + ".personality.domain") && !Set.of("LINUX", "LINUX32").contains(d.asText())) {
                problem(at + ".personality.domain", "must be LINUX or LINUX32");
            }
        }
        // config-linux.md "Offset for Time Namespace": offsets are for a time namespace of the container's own
        if (l.has("timeOffsets") && object(l.get("timeOffsets"), at + ".timeOffsets") && !namespaces.contains("time")) {
            problem(at + ".timeOffsets", "needs a time namespace in $.linux.namespaces");
        }
    }

    private void resources(JsonNode r, String at) {
        if (!object(r, at)) return;
        JsonNode devs = r.get("devices");
        if (array(devs, at + ".devices")) {
            for (int i = 0; i < devs.size(); i++) {
                String d = at + ".devices[" + i + "]";
                if (!object(devs.get(i), d)) continue;
                JsonNode allow = devs.get(i).get("allow");
                if (allow == null) problem(d + ".allow", "is required");
                else bool(allow, d + ".allow");
                JsonNode t = devs.get(i).get("type");
                if (t != null && string(t, d + ".type") && !Set.of("a", "b", "c").contains(t.asText())) {
                    problem(d + ".type", "must be one of a, b, c");
                }
                JsonNode acc = devs.get(i).get("access");
                if (acc != null && string(acc, d + ".access") && !acc.asText().matches("[rwm]*")) {
                    problem(d + ".access", "must be made of the letters r, w, m");
                }
            }
        }
        JsonNode mem = r.get("memory");
        if (mem != null && object(mem, at + ".memory")) {
            for (String f : List.of("limit", "reservation", "swap", "kernel", "kernelTCP")) {
                JsonNode n = mem.get(f);
                if (n != null && !n.isIntegralNumber()) problem(at + ".memory." + f, "must be an integer");
            }
            JsonNode sw = mem.get("swappiness");
            if (sw != null && (!sw.isIntegralNumber() || sw.asLong() < 0 || sw.asLong() > 100)) {
                problem(at + ".memory.swappiness", "must be an integer from 0 to 100");
            }
        }
        JsonNode cpu = r.get("cpu");
        if (cpu != null && object(cpu, at + ".cpu")) {
            for (String f : List.of("shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod")) {
                JsonNode n = cpu.get(f);
                if (n != null && !n.isIntegralNumber()) problem(at + ".cpu." + f, "must be an integer");
            }
            JsonNode cpus = cpu.get("cpus");
            if (cpus != null && string(cpus, at + ".cpu.cpus") && !cpus.asText().matches(CPUSET)) {
                problem(at + ".cpu.cpus", "\"" + cpus.asText() + "\" is not a CPU list like 0-3,7");
            }
            JsonNode mems = cpu.get("mems");
            if (mems != null && string(mems, at + ".cpu.mems") && !mems.asText().matches(CPUSET)) {
                problem(at + ".cpu.mems", "\"" + mems.asText() + "\" is not a node list like 0-1");
            }
        }
        JsonNode pids = r.get("pids");
        if (pids != null && object(pids, at + ".pids")) {
            JsonNode lim = pids.get("limit");
            if (lim == null) problem(at + ".pids.limit", "is required");
            else if (!lim.isIntegralNumber()) problem(at + ".pids.limit", "must be an integer");
        }
    }

    static final String CPUSET = "(\\d+(-\\d+)?)(,\\d+(-\\d+)?)*";

    private void seccomp(JsonNode s, String at) {
        if (!object(s, at)) return;
        // config-linux.md "Seccomp": defaultAction REQUIRED
        JsonNode def = s.get("defaultAction");
        if (def == null) problem(at + ".defaultAction", "is required");
        else action(def, at + ".defaultAction");
        uint(s.get("defaultErrnoRet"), at + ".defaultErrnoRet", UINT32_MAX, false);
        JsonNode arches = s.get("architectures");
        if (array(arches, at + ".architectures")) {
            for (int i = 0; i < arches.size(); i++) {
                String a = at + ".architectures[" + i + "]";
                if (string(arches.get(i), a) && !SECCOMP_ARCHES.contains(arches.get(i).asText())) {
                    problem(a, "unknown architecture \"" + arches.get(i).asText() + "\"");
                }
            }
        }
        JsonNode flags = s.get("flags");
        if (array(flags, at + ".flags")) {
            for (int i = 0; i < flags.size(); i++) {
                String f = at + ".flags[" + i + "]";
                if (string(flags.get(i), f) && !SECCOMP_FLAGS.contains(flags.get(i).asText())) {
                    problem(f, "unknown flag \"" + flags.get(i).asText() + "\"");
                }
            }
        }
        boolean notify = "SCMP_ACT_NOTIFY".equals(def == null ? null : def.asText());
        JsonNode sys = s.get("syscalls");
        if (array(sys, at + ".syscalls")) {
            for (int i = 0; i < sys.size(); i++) {
                String sc = at + ".syscalls[" + i + "]";
                if (!object(sys.get(i), sc)) continue;
                JsonNode names = sys.get(i).get("names");
                if (names == null) problem(sc + ".names", "is required");
                else if (array(names, sc + ".names")) {
                    if (names.isEmpty()) problem(sc + ".names", "must have at least one entry");
                    strings(names, sc + ".names");
                }
                JsonNode act = sys.get(i).get("action");
                if (act == null) problem(sc + ".action", "is required");
                else action(act, sc + ".action");
                notify |= act != null && "SCMP_ACT_NOTIFY".equals(act.asText());
                uint(sys.get(i).get("errnoRet"), sc + ".errnoRet", UINT32_MAX, false);
                JsonNode args = sys.get(i).get("args");
                if (array(args, sc + ".args")) {
                    for (int j = 0; j < args.size(); j++) {
                        String ar = sc + ".args[" + j + "]";
                        if (!object(args.get(j), ar)) continue;
                        JsonNode idx = args.get(j).get("index");
                        if (idx == null) problem(ar + ".index", "is required");
                        else uint(idx, ar + ".index", 5, true);
                        if (args.get(j).get("value") == null) problem(ar + ".value", "is required");
                        else if (!args.get(j).get("value").isIntegralNumber()) problem(ar + ".value", "must be an integer");
                        JsonNode op = args.get(j).get("op");
                        if (op == null) problem(ar + ".op", "is required");
                        else if (string(op, ar + ".op") && !SECCOMP_OPS.contains(op.asText())) {
                            problem(ar + ".op", "unknown operator \"" + op.asText() + "\"");
                        }
                    }
                }
            }
        }
        if (notify && !s.has("listenerPath")) problem(at + ".listenerPath", "is required when an action is SCMP_ACT_NOTIFY");
    }

    private void action(JsonNode a, String at) {
        if (string(a, at) && !SECCOMP_ACTIONS.contains(a.asText())) problem(at, "unknown action \"" + a.asText() + "\"");
    }

    private void idMappings(JsonNode ms, String at) {
        if (!array(ms, at)) return;
        for (int i = 0; i < ms.size(); i++) {
            String m = at + "[" + i + "]";
            if (!object(ms.get(i), m)) continue;
            uint(ms.get(i).get("containerID"), m + ".containerID", UINT32_MAX, true);
            uint(ms.get(i).get("hostID"), m + ".hostID", UINT32_MAX, true);
            uint(ms.get(i).get("size"), m + ".size", UINT32_MAX, true);
            JsonNode size = ms.get(i).get("size");
            if (size != null && size.isIntegralNumber() && size.asLong() == 0) problem(m + ".size", "must be greater than zero");
        }
    }

    // ---- type checks: each reports the problem itself and says whether the value can be looked into

    private boolean object(JsonNode n, String at) {
        if (n == null || n.isObject()) return n != null;
        problem(at, "must be an object");
        return false;
    }

    private boolean array(JsonNode n, String at) {
        if (n == null || n.isArray()) return n != null;
        problem(at, "must be an array");
        return false;
    }

    private boolean string(JsonNode n, String at) {
        if (n == null || n.isTextual()) return n != null;
        problem(at, "must be a string");
        return false;
    }

    private void strings(JsonNode arr, String at) {
        for (int i = 0; i < arr.size(); i++) string(arr.get(i), at + "[" + i + "]");
    }

    private void bool(JsonNode n, String at) {
        if (n != null && !n.isBoolean()) problem(at, "must be true or false");
    }

    private void uint(JsonNode n, String at, long max, boolean required) {
        if (n == null) {
            if (required) problem(at, "is required");
            return;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 && !n.isBigInteger()) {
            problem(at, "must be a non-negative integer");
        } else if (max != Long.MAX_VALUE && (n.isBigInteger() || n.asLong() > max)) {
            problem(at, "must be at most " + max);
        }
    }

    private void absolute(JsonNode n, String at) {
        if (string(n, at) && !n.asText().startsWith("/")) problem(at, "must be an absolute path (\"" + n.asText() + "\")");
    }

    private static String key(String k) {
        return k.matches("[A-Za-z_][A-Za-z0-9_]*") ? "." + k : "[\"" + k.replace("\"", "\\\"") + "\"]";
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
