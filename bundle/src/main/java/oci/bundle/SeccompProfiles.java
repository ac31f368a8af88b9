package oci.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;

/**
 * Seccomp profiles for {@code --seccomp}. The default (resource {@code seccomp-default.json},
 * written for this project) denies with EPERM every system call it does not allow, with the same
 * effect as Docker's default profile. A profile's rules may depend on the image's architecture
 * and the container's capabilities; {@link #resolve} turns it into the plain runtime-spec
 * {@code linux.seccomp} object (config-linux.md "Seccomp") for one container.
 *
 * <p>A {@code --seccomp FILE} may be a runtime-spec seccomp object, a profile in this project's
 * format ({@code rules} with {@code ifArch/unlessArch/ifCap/unlessCap}), or Docker's format
 * ({@code syscalls} with {@code includes/excludes} and an {@code archMap}).
 */
public final class SeccompProfiles {
    private SeccompProfiles() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The default profile, resolved for {@code architecture} (image-spec names: amd64, arm64...) and capabilities. */
    public static RuntimeSpec.Seccomp defaultProfile(String architecture, Collection<String> capabilities) {
        try (InputStream in = SeccompProfiles.class.getResourceAsStream("seccomp-default.json")) {
            return resolve(JSON.readTree(in), architecture, capabilities, "the default seccomp profile");
        } catch (IOException e) {
            throw new IllegalStateException("read the default seccomp profile: " + e.getMessage(), e);
        }
    }

    /** Reads a profile file (any of the three formats) and resolves it. */
    public static RuntimeSpec.Seccomp fromFile(Path file, String architecture, Collection<String> capabilities) {
        JsonNode tree;
        try {
            tree = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new BundleException("read seccomp profile " + file + ": " + m);
        }
        if (tree == null || !tree.isObject()) throw new BundleException("read seccomp profile " + file + ": not a JSON object");
        RuntimeSpec.Seccomp s = resolve(tree, architecture, capabilities, "seccomp profile " + file);
        List<Validator.Problem> problems = Validator.validate(JSON.valueToTree(wrap(s)));
        if (!problems.isEmpty()) {
            Validator.Problem p = problems.getFirst();
            throw new BundleException("seccomp profile " + file + ": " + p.path().replace("$.linux.seccomp", "$") + ": " + p.message());
        }
        return s;
    }

    private static RuntimeSpec wrap(RuntimeSpec.Seccomp s) {
        RuntimeSpec r = new RuntimeSpec();
        r.ociVersion = RuntimeSpec.VERSION;
        r.root = new RuntimeSpec.Root();
        r.root.path = "rootfs";
        r.linux = new RuntimeSpec.Linux();
        r.linux.seccomp = s;
        return r;
    }

    static RuntimeSpec.Seccomp resolve(JsonNode p, String architecture, Collection<String> caps, String what) {
        String arch = seccompArch(architecture);
        RuntimeSpec.Seccomp s = new RuntimeSpec.Seccomp();
        if (!p.path("defaultAction").isTextual()) throw new BundleException(what + ": defaultAction is missing");
        s.defaultAction = p.get("defaultAction").asText();
        if (p.has("defaultErrnoRet")) s.defaultErrnoRet = p.get("defaultErrnoRet").asInt();
        s.architectures = architectures(p, architecture, arch);
        if (p.has("flags")) s.flags = strings(p.get("flags"));
        if (p.has("listenerPath")) s.listenerPath = p.get("listenerPath").asText();
        if (p.has("listenerMetadata")) s.listenerMetadata = p.get("listenerMetadata").asText();
        JsonNode rules = p.has("rules") ? p.get("rules") : p.get("syscalls");
        if (rules != null) {
            if (!rules.isArray()) throw new BundleException(what + ": " + (p.has("rules") ? "rules" : "syscalls") + " must be an array");
            s.syscalls = new ArrayList<>();
            for (JsonNode r : rules) {
                if (!applies(r, arch, caps)) continue;
                RuntimeSpec.Syscall sc = new RuntimeSpec.Syscall();
                sc.names = strings(r.get("names"));
                if (r.has("name") && sc.names == null) sc.names = List.of(r.get("name").asText()); // Docker's old single-name form
                sc.action = r.path("action").asText("SCMP_ACT_ALLOW");
                if (r.has("errnoRet")) sc.errnoRet = r.get("errnoRet").asInt();
                if (r.has("args") && r.get("args").isArray() && !r.get("args").isEmpty()) {
                    sc.args = new ArrayList<>();
                    for (JsonNode a : r.get("args")) {
                        RuntimeSpec.SyscallArg arg = new RuntimeSpec.SyscallArg();
                        arg.index = a.path("index").asInt();
                        arg.value = a.path("value").asLong();
                        if (a.has("valueTwo")) arg.valueTwo = a.get("valueTwo").asLong();
                        arg.op = a.path("op").asText(null);
                        sc.args.add(arg);
                    }
                }
                s.syscalls.add(sc);
            }
        }
        return s;
    }

    /** Whether a rule's conditions hold for this container. */
    private static boolean applies(JsonNode r, String arch, Collection<String> caps) {
        // this project's format
        if (r.has("ifArch") && !contains(r.get("ifArch"), arch)) return false;
        if (r.has("unlessArch") && contains(r.get("unlessArch"), arch)) return false;
        if (r.has("ifCap") && !caps.contains(r.get("ifCap").asText())) return false;
        if (r.has("unlessCap") && caps.contains(r.get("unlessCap").asText())) return false;
        // Docker's format: every listed include must hold, no listed exclude may
        JsonNode inc = r.path("includes");
        if (inc.has("arches") && !inc.get("arches").isEmpty() && !contains(inc.get("arches"), arch)) return false;
        if (inc.has("caps")) for (JsonNode c : inc.get("caps")) if (!caps.contains(c.asText())) return false;
        JsonNode exc = r.path("excludes");
        if (exc.has("arches") && contains(exc.get("arches"), arch)) return false;
        if (exc.has("caps")) for (JsonNode c : exc.get("caps")) if (caps.contains(c.asText())) return false;
        return true;
    }

    private static List<String> architectures(JsonNode p, String imageArch, String arch) {
        JsonNode a = p.get("architectures");
        if (a != null && a.isArray()) return strings(a);
        if (a != null && a.isObject()) {
            JsonNode list = a.get(arch);
            return list == null ? null : strings(list);
        }
        JsonNode map = p.get("archMap"); // Docker: [{architecture, subArchitectures}]
        if (map != null && map.isArray()) {
            String main = mainScmpArch(imageArch);
            for (JsonNode m : map) {
                if (main != null && main.equals(m.path("architecture").asText())) {
                    List<String> out = new ArrayList<>(List.of(main));
                    if (m.has("subArchitectures") && m.get("subArchitectures").isArray()) out.addAll(strings(m.get("subArchitectures")));
                    return out;
                }
            }
        }
        return null;
    }

    /** image-spec architecture → the name profiles use in ifArch (Go's, with 386 as x86). */
    static String seccompArch(String architecture) {
        if (architecture == null || architecture.isEmpty()) return "amd64";
        return switch (architecture) {
            case "386", "i386" -> "x86";
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> architecture;
        };
    }

    private static String mainScmpArch(String architecture) {
        return switch (seccompArch(architecture)) {
            case "amd64" -> "SCMP_ARCH_X86_64";
            case "x86" -> "SCMP_ARCH_X86";
            case "arm64" -> "SCMP_ARCH_AARCH64";
            case "arm" -> "SCMP_ARCH_ARM";
            case "ppc64le" -> "SCMP_ARCH_PPC64LE";
            case "s390x" -> "SCMP_ARCH_S390X";
            case "riscv64" -> "SCMP_ARCH_RISCV64";
            case "mips64" -> "SCMP_ARCH_MIPS64";
            case "mips64le" -> "SCMP_ARCH_MIPSEL64";
            default -> null;
        };
    }

    private static boolean contains(JsonNode arr, String v) {
        for (JsonNode n : arr) if (n.asText().equals(v)) return true;
        return false;
    }

    private static List<String> strings(JsonNode arr) {
        if (arr == null || !arr.isArray()) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(n.asText());
        return out;
    }
}
