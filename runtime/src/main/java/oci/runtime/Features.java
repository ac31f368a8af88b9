package oci.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import oci.bundle.spec.RuntimeSpec;

/**
 * The runtime-spec Features structure (features.md, features-linux.md) that `oci features` prints
 * and containerd 1.7+ reads: what this runtime implements, taken from the tables the runtime itself
 * works from (capabilities, namespaces, mount options, seccomp architectures and flags), so it
 * cannot claim more than a config gets. What is refused by name is false or left out: AppArmor,
 * SELinux, Intel RDT, id-mapped mounts, systemd cgroups, rdma, SCMP_ACT_NOTIFY.
 */
public final class Features {
    private Features() {}

    /** The hooks the runtime runs (Containers and init.c): every stage of config.md. */
    static final List<String> HOOKS = List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
    /** What {@link Seccomp#action} compiles (SCMP_ACT_NOTIFY is refused there). */
    static final List<String> SECCOMP_ACTIONS = List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP");
    /** What Seccomp's argument conditions compile. */
    static final List<String> SECCOMP_OPERATORS = List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
            "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE");
    /** The Linux release each seccomp flag of {@link Seccomp#FLAGS} came with (seccomp(2)). */
    static final Map<String, int[]> FLAG_SINCE = Map.of("SECCOMP_FILTER_FLAG_TSYNC", new int[] {3, 17}, "SECCOMP_FILTER_FLAG_LOG", new int[] {4, 14},
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", new int[] {4, 17}, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", new int[] {5, 19});

    /** The Features JSON, indented. */
    public static String json() {
        return Json.writePretty(tree(System.getProperty("os.version")));
    }

    static Map<String, Object> tree(String kernelRelease) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ociVersionMin", "1.0.0");
        f.put("ociVersionMax", RuntimeSpec.VERSION);
        f.put("hooks", HOOKS);
        TreeSet<String> mountOptions = new TreeSet<>(MountOptions.FLAGS.keySet());
        mountOptions.addAll(MountOptions.PROPAGATION.keySet());
        f.put("mountOptions", new ArrayList<>(mountOptions));

        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", new ArrayList<>(new TreeSet<>(PlanBuilder.NAMESPACES.keySet())));
        linux.put("capabilities", Capabilities.NAMES);
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", false);
        linux.put("cgroup", cgroup);
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("enabled", true);
        seccomp.put("actions", SECCOMP_ACTIONS);
        seccomp.put("operators", SECCOMP_OPERATORS);
        seccomp.put("archs", Arrays.stream(Seccomp.Arch.values()).map(a -> a.scmpName).sorted().toList());
        List<String> known = new ArrayList<>(new TreeSet<>(Seccomp.FLAGS.keySet()));
        seccomp.put("knownFlags", known);
        seccomp.put("supportedFlags", known.stream().filter(k -> atLeast(kernelRelease, FLAG_SINCE.get(k))).toList());
        linux.put("seccomp", seccomp);
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        linux.put("mountExtensions", Map.of("idmap", Map.of("enabled", false)));
        f.put("linux", linux);
        return f;
    }

    /** Whether kernel release "6.1.0-13-amd64" is at least {@code since} (major, minor); unknown counts as yes. */
    static boolean atLeast(String release, int[] since) {
        if (since == null || release == null) return true;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) return true;
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        return major > since[0] || major == since[0] && minor >= since[1];
    }
}
