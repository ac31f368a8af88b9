package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import oci.bundle.spec.RuntimeSpec;
import oci.runtime.PlanBuilder.Context;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The plan the runtime derives from a config: no root needed, nothing runs. */
class PlanBuilderTest {
    static final String CONFIG = """
            {"ociVersion":"1.2.0",
             "process":{"terminal":false,"user":{"uid":1000,"gid":1000,"additionalGids":[5]},"args":["sh","-c","true"],
               "env":["PATH=/usr/bin:/bin","A=b"],"cwd":"/work",
               "capabilities":{"bounding":["CAP_KILL","CAP_NET_RAW"],"effective":["CAP_KILL"],"permitted":["CAP_KILL","CAP_NET_RAW"],
                 "ambient":["CAP_KILL"]},
               "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":512}],"noNewPrivileges":true,"oomScoreAdj":100},
             "root":{"path":"rootfs","readonly":true},
             "hostname":"h",
             "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
               {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
               {"destination":"/data","type":"bind","source":"data","options":["rbind","ro","nodev","rprivate"]}],
             "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"network","path":"/proc/1/ns/net"}],
               "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],
               "resources":{"memory":{"limit":1048576},"pids":{"limit":10},"cpu":{"shares":512,"quota":50000,"period":100000}}}}
            """;

    @TempDir
    Path bundle;
    RuntimeSpec spec;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.createDirectories(bundle.resolve("data"));
        spec = RuntimeSpec.parse(CONFIG.getBytes(StandardCharsets.UTF_8));
    }

    ContainerPlan plan() {
        return PlanBuilder.build(spec, new PlanBuilder.Context("c1", bundle, Path.of("/run/oci/c1"), Cgroups.detect(), 40));
    }

    List<String> ops() {
        return plan().init().steps().stream().map(s -> s.op().name()).toList();
    }

    @Test
    void namespacesJoinedThenCreatedThenForked() {
        InitPlan p = plan().init();
        assertEquals(List.of(Long.toString(PlanBuilder.CLONE_NEWNET), "/proc/1/ns/net"), p.steps(Op.SETNS).getFirst().text());
        long flags = Long.parseLong(p.steps(Op.UNSHARE).getFirst().text().getFirst());
        assertEquals(PlanBuilder.CLONE_NEWPID | PlanBuilder.CLONE_NEWNS | PlanBuilder.CLONE_NEWUTS, flags);
        List<String> ops = ops();
        assertTrue(ops.indexOf("SYNC") < ops.indexOf("UNSHARE") && ops.indexOf("UNSHARE") < ops.indexOf("FORK"), ops.toString());
    }

    @Test
    void orderOfTheContainerSetup() {
        spec.process.capabilities.inheritable = List.of("CAP_KILL");
        List<String> ops = ops();
        String[] order = {"FORK", "OOM_ADJ", "MOUNT_PROP", "BIND_ROOT", "MOUNT", "MKNOD", "OPEN_FIFO", "PIVOT", "MASK", "READONLY",
            "HOSTNAME", "CWD", "ROOT_RO", "RLIMIT", "UMASK", "PREPARE_EXEC", "BOUNDING", "USER", "CAPS", "AMBIENT", "NNP", "READY",
            "WAIT_START", "EXEC"};
        int last = -1;
        for (String op : order) {
            int i = ops.indexOf(op);
            assertTrue(i > last, op + " out of order in " + ops);
            last = i;
        }
        assertEquals("EXEC", ops.getLast());
    }

    @Test
    void mountsKeepConfigOrderWithFlags() {
        List<InitPlan.Step> m = plan().init().steps(Op.MOUNT);
        assertEquals(List.of("proc", "/proc", "proc", "0", "0", "", "d"), m.get(0).text());
        long dev = MountOptions.MS_NOSUID | MountOptions.MS_STRICTATIME;
        assertEquals(List.of("tmpfs", "/dev", "tmpfs", Long.toString(dev), "0", "mode=755,size=65536k", "d"), m.get(1).text());
        long bind = MountOptions.MS_BIND | MountOptions.MS_REC | MountOptions.MS_RDONLY | MountOptions.MS_NODEV;
        assertEquals(List.of(bundle.resolve("data").toString(), "/data", "", Long.toString(bind),
                Long.toString(MountOptions.MS_PRIVATE | MountOptions.MS_REC), "", "d"), m.get(2).text());
    }

    @Test
    void defaultDevicesAndLinks() {
        InitPlan p = plan().init();
        assertEquals(List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"),
                p.steps(Op.MKNOD).stream().map(s -> s.text().getFirst()).toList());
        assertEquals(List.of("/dev/null", "c", "1", "3", "438", "0", "0"), p.steps(Op.MKNOD).getFirst().text());
        assertTrue(p.steps(Op.SYMLINK).stream().anyMatch(s -> s.text().equals(List.of("/proc/self/fd", "/dev/fd"))));
    }

    @Test
    void userNamespaceBindsDevicesAndMapsIds() {
        spec.linux.namespaces.add(new RuntimeSpec.Namespace("user", null));
        spec.linux.uidMappings = List.of(new RuntimeSpec.IdMapping(0, 100000, 65536));
        spec.linux.gidMappings = List.of(new RuntimeSpec.IdMapping(0, 100000, 65536));
        ContainerPlan p = plan();
        assertEquals("0 100000 65536\n", p.uidMap());
        assertEquals(0, p.init().steps(Op.MKNOD).size());
        assertEquals(6, p.init().steps(Op.BIND_DEV).size());
        List<String> ops = p.init().steps().stream().map(s -> s.op().name()).toList();
        assertTrue(ops.indexOf("UNSHARE") < ops.indexOf("SETID0"), ops.toString());
        assertEquals(List.of("userns"), p.init().steps(Op.SYNC).get(1).text());
    }

    @Test
    void capabilityMasksAndInheritableEmpty() {
        InitPlan p = plan().init();
        long kill = 1L << 5, raw = 1L << 13;
        assertEquals(List.of(Long.toString(kill | raw), "40"), p.steps(Op.BOUNDING).getFirst().text());
        assertEquals(List.of(Long.toString(kill), Long.toString(kill | raw), "0"), p.steps(Op.CAPS).getFirst().text());
        // Ambient needs the capability in the inheritable set, which the config leaves empty.
        assertEquals(0, p.steps(Op.AMBIENT).size());
        spec.process.capabilities.inheritable = List.of("CAP_KILL");
        assertEquals(List.of(Long.toString(kill), "40"), plan().init().steps(Op.AMBIENT).getFirst().text());
    }

    @Test
    void userRlimitsAndExec() {
        InitPlan p = plan().init();
        assertEquals(List.of("1000", "1000", "5"), p.steps(Op.USER).getFirst().text());
        assertEquals(List.of("7", "512", "1024"), p.steps(Op.RLIMIT).getFirst().text());
        assertEquals(List.of("/usr/bin:/bin", "sh"), p.steps(Op.PREPARE_EXEC).getFirst().text());
        assertEquals(List.of("2", "PATH=/usr/bin:/bin", "A=b", "sh", "-c", "true"), p.steps(Op.EXEC).getFirst().text());
    }

    @Test
    void cgroupV2MachinePlan() {
        // A unified-only machine (described, not read): v2 files, and a cgroup mount binds the
        // container's own directory of the unified hierarchy.
        Cgroups v2 = Cgroups.of(List.of(), Path.of("/sys/fs/cgroup"), java.util.Set.of("cpu", "memory", "pids"));
        List<RuntimeSpec.Mount> mounts = new java.util.ArrayList<>(spec.mounts);
        mounts.add(new RuntimeSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        spec.mounts = mounts;
        ContainerPlan p = PlanBuilder.build(spec, new PlanBuilder.Context("c1", bundle, Path.of("/run/oci/c1"), v2, 40));
        assertEquals(List.of(Cgroups.Setting.v2("memory", "memory.max", "1048576"), Cgroups.Setting.v2("cpu", "cpu.weight", "59"),
                Cgroups.Setting.v2("cpu", "cpu.max", "50000 100000"), Cgroups.Setting.v2("pids", "pids.max", "10")), p.cgroupSettings());
        InitPlan.Step m = p.init().steps(Op.MOUNT).stream().filter(s -> s.text().get(1).equals("/sys/fs/cgroup")).findFirst().orElseThrow();
        assertEquals("/sys/fs/cgroup/oci/c1", m.text().get(0));
        long flags = Long.parseLong(m.text().get(3));
        assertEquals(MountOptions.MS_BIND | MountOptions.MS_REC | MountOptions.MS_RDONLY, flags & (MountOptions.MS_BIND | MountOptions.MS_REC | MountOptions.MS_RDONLY));
        spec.linux.resources.devices = List.of(new RuntimeSpec.DeviceCgroup(false, null, null, null, "rwm"));
        Cgroups.Setting dev = PlanBuilder.build(spec, new PlanBuilder.Context("c1", bundle, Path.of("/run/oci/c1"), v2, 40))
                .cgroupSettings().getLast();
        assertEquals(DeviceFilter.PSEUDO_FILE, dev.file());
        assertTrue(dev.unified() && dev.value().startsWith("deny a\nallow c 1:3 rwm"), dev.toString());
    }

    @Test
    void cgroupSettings() {
        ContainerPlan p = plan();
        assertEquals("/oci/c1", p.cgroupPath());
        assertEquals(List.of(new Cgroups.Setting("memory", "memory.limit_in_bytes", "1048576"),
                new Cgroups.Setting("cpu", "cpu.shares", "512"), new Cgroups.Setting("cpu", "cpu.cfs_period_us", "100000"),
                new Cgroups.Setting("cpu", "cpu.cfs_quota_us", "50000"), new Cgroups.Setting("pids", "pids.max", "10")),
                p.cgroupSettings());
        spec.linux.cgroupsPath = "system.slice:oci:c1";
        assertThrows(ContainerException.class, this::plan);
        spec.linux.cgroupsPath = "mine/c1";
        assertEquals("/mine/c1", plan().cgroupPath());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "terminal | process.terminal",
        "apparmor | process.apparmorProfile",
        "selinux | process.selinuxLabel",
        "mountLabel | linux.mountLabel",
        "timeNs | linux.namespaces",
        "idmap | mounts[/data] option \"idmap\"",
        "rdma | linux.resources.rdma",
        "notify | SCMP_ACT_NOTIFY",
        "systemdPath | linux.cgroupsPath",
    })
    void unimplementedFieldsAreRefusedByName(String what, String field) {
        Consumer<RuntimeSpec> change = switch (what) {
            case "terminal" -> s -> s.process.terminal = true;
            case "apparmor" -> s -> s.process.apparmorProfile = "x";
            case "selinux" -> s -> s.process.selinuxLabel = "x";
            case "mountLabel" -> s -> s.linux.mountLabel = "x";
            case "timeNs" -> s -> s.linux.namespaces.add(new RuntimeSpec.Namespace("time", null));
            case "idmap" -> s -> s.mounts.get(2).options.add("idmap");
            case "rdma" -> s -> s.linux.resources.rdma = java.util.Map.of("mlx", 1);
            case "notify" -> s -> {
                s.linux.seccomp = SeccompTest.profile("SCMP_ACT_ALLOW", SeccompTest.rule("SCMP_ACT_NOTIFY", null, List.of("mkdir")));
            };
            case "systemdPath" -> s -> s.linux.cgroupsPath = "a:b:c";
            default -> throw new AssertionError(what);
        };
        change.accept(spec);
        ContainerException e = assertThrows(ContainerException.class, this::plan);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void kernelMemoryIsIgnoredAsRunc11Does() {
        // Kernel memory limits are gone from Linux; runc 1.1 ignores them (with a warning at create).
        var without = plan().cgroupSettings();
        spec.linux.resources.memory.kernel = 1L << 20;
        spec.linux.resources.memory.kernelTCP = 1L << 20;
        assertEquals(without, plan().cgroupSettings());
    }

    @Test
    void badInputIsRefusedWithTheField() {
        spec.process.rlimits.add(new RuntimeSpec.Rlimit("RLIMIT_NOFILE", 1, 1));
        assertTrue(assertThrows(ContainerException.class, this::plan).getMessage().contains("twice"));
        spec.process.rlimits.removeLast();
        spec.process.capabilities.effective = List.of("CAP_BOGUS");
        assertTrue(assertThrows(ContainerException.class, this::plan).getMessage().contains("CAP_BOGUS"));
        spec.process.capabilities.effective = List.of();
        spec.linux.namespaces.removeIf(n -> n.type.equals("uts"));
        assertTrue(assertThrows(ContainerException.class, this::plan).getMessage().contains("uts"));
        spec.hostname = null;
        spec.linux.sysctl = java.util.Map.of("kernel.core_pattern", "|/x");
        assertTrue(assertThrows(ContainerException.class, this::plan).getMessage().contains("kernel.core_pattern"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ro, 1, 0", "nosuid, 2, 0", "nodev, 4, 0", "noexec, 8, 0", "relatime, 2097152, 0", "strictatime, 16777216, 0",
        "bind, 4096, 0", "rbind, 20480, 0", "rprivate, 0, 278528", "rslave, 0, 540672", "shared, 0, 1048576",
        "runbindable, 0, 147456", "noatime, 1024, 0", "nosymfollow, 256, 0"})
    void optionTable(String option, long flags, long propagation) {
        MountOptions.Parsed p = MountOptions.parse(List.of(option), "test");
        assertEquals(flags, p.flags());
        assertEquals(propagation, p.propagation());
        assertEquals("", p.data());
    }

    @Test
    void optionsClearAndPassData() {
        MountOptions.Parsed p = MountOptions.parse(List.of("ro", "nosuid", "rw", "suid", "size=1m", "mode=1777"), "test");
        assertEquals(0, p.flags());
        assertEquals("size=1m,mode=1777", p.data());
        // every row of the table is either a set or a clear of known bits
        MountOptions.FLAGS.forEach((k, v) -> assertTrue(v.bits() >= 0, k));
    }

    @Test
    void sessionKeyringOfItsOwnFirstInThePid1() {
        Context ctx = new PlanBuilder.Context("c1", bundle, Path.of("/run/oci/c1"), Cgroups.detect(), 40);
        List<String> ops = PlanBuilder.build(spec, ctx).init().steps().stream().map(s -> s.op().name()).toList();
        assertEquals(ops.indexOf("FORK") + 1, ops.indexOf("SESSION_KEYRING"), ops.toString());
        // runc's name, and the search right an exec needs to find it by name: by uid, and by anyone in a user namespace
        assertEquals(List.of("_ses.c1", Long.toString(PlanBuilder.KEY_USR_SEARCH)),
                PlanBuilder.build(spec, ctx).init().steps(Op.SESSION_KEYRING).getFirst().text());
        spec.linux.namespaces = new java.util.ArrayList<>(spec.linux.namespaces);
        RuntimeSpec.Namespace user = new RuntimeSpec.Namespace();
        user.type = "user";
        spec.linux.namespaces.add(user);
        RuntimeSpec.IdMapping m = new RuntimeSpec.IdMapping();
        m.containerID = 0;
        m.hostID = 100000;
        m.size = 65536;
        spec.linux.uidMappings = List.of(m);
        spec.linux.gidMappings = List.of(m);
        assertEquals(List.of("_ses.c1", Long.toString(PlanBuilder.KEY_USR_SEARCH | PlanBuilder.KEY_OTH_SEARCH)),
                PlanBuilder.build(spec, ctx).init().steps(Op.SESSION_KEYRING).getFirst().text());
        // runc's --no-new-keyring
        assertEquals(List.of(), PlanBuilder.build(spec, ctx.withNewKeyring(false)).init().steps(Op.SESSION_KEYRING));
    }

    @Test
    void execJoinsTheContainersKeyringByName() {
        Context ctx = new PlanBuilder.Context("c1", bundle, Path.of("/run/oci/c1"), Cgroups.detect(), 40);
        InitPlan p = PlanBuilder.exec(spec, spec.process, ctx, 4242, Path.of("/run/oci/c1/exec.sync"));
        List<String> ops = p.steps().stream().map(s -> s.op().name()).toList();
        assertEquals(ops.indexOf("FORK") + 1, ops.indexOf("SESSION_KEYRING"), ops.toString());
        assertEquals(List.of("_ses.c1", "0"), p.steps(Op.SESSION_KEYRING).getFirst().text(), "joined, its rights left alone");
        assertEquals(List.of(), PlanBuilder.exec(spec, spec.process, ctx.withNewKeyring(false), 4242, Path.of("/s"))
                .steps(Op.SESSION_KEYRING));
    }

    @Test
    void serialisedPlanIsLengthPrefixed() {
        InitPlan p = new InitPlan();
        p.add(Op.HOSTNAME, "ab");
        byte[] b = p.serialise();
        assertEquals(4 + 4 + 4 + 2, b.length);
        assertEquals(Op.HOSTNAME.code, b[0]);
        assertEquals(1, b[4]);
        assertEquals(2, b[8]);
        assertEquals('a', b[12]);
    }
}
