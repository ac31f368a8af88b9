package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containers, as root: a busybox rootfs and the config.json Debian's `runc spec` writes
 * (terminal off, args per test). Each test checks what the process inside really sees.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContainerTest {
    @TempDir
    static Path tmp;
    static Runner runner;
    static TestBundle bundle;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        Files.createDirectories(tmp.resolve("io"));
        runner = new Runner(tmp.resolve("state"), tmp.resolve("io"));
        bundle = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")), "true");
    }

    @BeforeEach
    void reset() throws IOException {
        bundle.restore();
    }

    @AfterAll
    static void nothingLeft() {
        if (runner == null) return;
        assertEquals(List.of(), runner.containers.list(), "containers left in the state root");
        for (String ctrl : List.of("memory", "pids", "cpu", "unified")) {
            Path oci = Path.of("/sys/fs/cgroup", ctrl, "oci");
            if (!Files.isDirectory(oci)) continue;
            try (var s = Files.list(oci)) {
                List<String> left = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("t-" + ProcessHandle.current().pid() + "-")).toList();
                assertEquals(List.of(), left, "cgroups left in " + oci);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void echoAndExitCode() throws Exception {
        Runner.Result r = runner.run(bundle.sh("echo hello; echo oops >&2; exit 7"));
        assertEquals(7, r.exit());
        assertEquals("hello\n", r.out());
        assertEquals("oops\n", r.err());
    }

    @Test
    void killedBySignalGives128PlusN() throws Exception {
        bundle.sh("sleep 30");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            runner.containers.kill(id, 9, false);
            assertEquals(137, c.waitFor());
            assertEquals("stopped", runner.containers.state(id).status());
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void lifecycleCreatedRunningStoppedWithTerm() throws Exception {
        // pid 1 of a pid namespace only gets the signals it handles: the trap makes TERM count.
        bundle.sh("trap 'echo got TERM; exit 42' TERM; echo up; while true; do sleep 0.05; done");
        String id = runner.newId("t");
        Path pidFile = tmp.resolve(id + ".pid");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), pidFile, null, true);
        try {
            ContainerState s = runner.containers.state(id);
            assertEquals("created", s.status());
            assertEquals(Long.parseLong(Files.readString(pidFile).trim()), s.pid());
            assertEquals(bundle.dir.toAbsolutePath().toString(), s.bundle());
            String json = new String(s.toJson());
            String flat = json.replaceAll("\\s", "");
            assertTrue(flat.startsWith("{\"ociVersion\":") && flat.contains("\"status\":\"created\""), json);
            assertEquals("", runner.out(id), "the init waits for start before exec");
            runner.containers.start(id);
            assertEquals("running", runner.containers.state(id).status());
            ContainerException twice = assertThrows(ContainerException.class, () -> runner.containers.start(id));
            assertTrue(twice.getMessage().endsWith(": cannot start an already running container"), twice.getMessage());
            ContainerException busy = assertThrows(ContainerException.class, () -> runner.containers.delete(id, false));
            assertTrue(busy.getMessage().contains("running"), busy.getMessage());
            waitFor(() -> runner.out(id).contains("up"));
            runner.containers.kill(id, 15, false);
            assertEquals(42, c.waitFor());
            assertTrue(runner.out(id).contains("got TERM"));
            assertEquals("stopped", runner.containers.state(id).status());
            assertEquals(0, runner.containers.state(id).pid());
            ContainerException dead = assertThrows(ContainerException.class, () -> runner.containers.kill(id, 15, false));
            assertEquals("kill container " + id + ": container not running", dead.getMessage());
        } finally {
            runner.containers.delete(id, true);
        }
        assertThrows(ContainerException.class, () -> runner.containers.state(id));
    }

    @Test
    void pauseAndResume() throws Exception {
        bundle.sh("i=0; while true; do i=$((i+1)); echo $i > /dev/shm/n; sleep 0.01; done");
        String id = runner.newId("t");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            runner.containers.freeze(id, true);
            assertEquals("paused", runner.containers.state(id).status());
            String frozen = Files.readString(Path.of("/sys/fs/cgroup/freezer/oci", id, "freezer.state")).trim();
            assertEquals("FROZEN", frozen);
            assertThrows(ContainerException.class, () -> runner.containers.freeze(id, true));
            runner.containers.freeze(id, false);
            assertEquals("running", runner.containers.state(id).status());
            runner.containers.freeze(id, true);
        } finally {
            // a paused container is deleted with force: killed, then thawed so it can die
            runner.containers.delete(id, true);
        }
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/freezer/oci", id)));
    }

    @Test
    void deletingACreatedContainerKillsIt() throws Exception {
        bundle.sh("echo never");
        String id = runner.newId("t");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        long pid = runner.containers.state(id).pid();
        runner.containers.delete(id, false);
        assertTrue(Containers.startTime(pid) < 0, "process " + pid + " still alive");
        assertEquals("", runner.out(id));
    }

    @Test
    void envCwdUserAndGroups() throws Exception {
        bundle.spec.process.env = new ArrayList<>(List.of("PATH=/bin", "GREETING=hi there"));
        bundle.spec.process.cwd = "/tmp/work";
        bundle.spec.process.user.uid = 65534;
        bundle.spec.process.user.gid = 65534;
        bundle.spec.process.user.additionalGids = List.of(5L, 7L);
        bundle.spec.process.user.umask = 077;
        bundle.spec.process.oomScoreAdj = 123;
        Runner.Result r = runner.run(bundle.sh("echo \"$GREETING\"; pwd; id -u; id -g; id -G; umask; cat /proc/self/oom_score_adj"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("hi there\n/tmp/work\n65534\n65534\n65534 5 7\n0077\n123\n", r.out());
    }

    @Test
    void hostnameAndReadOnlyRoot() throws Exception {
        bundle.spec.hostname = "box-one";
        Runner.Result r = runner.run(bundle.sh("hostname; touch /x 2>/dev/null && echo writable || echo readonly"));
        assertEquals("box-one\nreadonly\n", r.out(), r.err());
        assertFalse(Files.exists(bundle.dir.resolve("rootfs/x")));
    }

    @Test
    void noNetworkNamespaceMeansTheHostNetwork() throws Exception {
        // The seed demo: a web server in the container, reached from the host on loopback.
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        bundle.spec.linux.namespaces = bundle.spec.linux.namespaces.stream().filter(n -> !n.type.equals("network")).toList();
        bundle.spec.root.readonly = false;
        bundle.sh("mkdir -p /www && echo served from the container > /www/index.html && exec httpd -f -p 127.0.0.1:" + port + " -h /www");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/index.html")).build();
            String body = null;
            for (int i = 0; i < 200 && body == null; i++) {
                try {
                    body = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.net.ConnectException notYet) {
                    Thread.sleep(20);
                }
            }
            assertEquals("served from the container\n", body, runner.err(id));
        } finally {
            runner.containers.delete(id, true);
            c.waitFor();
            Files.deleteIfExists(bundle.dir.resolve("rootfs/www/index.html"));
            Files.deleteIfExists(bundle.dir.resolve("rootfs/www"));
        }
    }

    @Test
    void sysctlsAndDomainname() throws Exception {
        bundle.spec.linux.sysctl = java.util.Map.of("net.ipv4.ip_forward", "1", "kernel.shmmni", "1234");
        bundle.spec.domainname = "example.test";
        Runner.Result r = runner.run(bundle.sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/kernel/domainname"));
        assertEquals("1\n1234\nexample.test\n", r.out(), r.err());
    }

    @Test
    void bindAndTmpfsMounts() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "from host\n");
        List<RuntimeSpec.Mount> mounts = new ArrayList<>(bundle.spec.mounts);
        mounts.add(new RuntimeSpec.Mount("/data", "bind", data.toString(), List.of("rbind", "ro", "nosuid")));
        mounts.add(new RuntimeSpec.Mount("/scratch", "tmpfs", "tmpfs", List.of("size=1m", "noexec")));
        bundle.spec.mounts = mounts;
        Runner.Result r = runner.run(bundle.sh(
                "cat /data/f; touch /data/g 2>/dev/null && echo rw || echo ro; echo x > /scratch/y && cat /scratch/y;"
                        + " grep ' /scratch ' /proc/mounts | cut -d' ' -f3"));
        assertEquals("from host\nro\nx\ntmpfs\n", r.out(), r.err());
        assertFalse(Files.exists(data.resolve("g")));
    }

    @Test
    void capabilitiesAreWhatTheConfigSays() throws Exception {
        // runc spec's set lacks CAP_SYS_ADMIN: sethostname fails.
        bundle.spec.process.capabilities.ambient = List.of("CAP_KILL");
        Runner.Result r = runner.run(bundle.sh("hostname other 2>/dev/null && echo set || echo denied; grep CapInh /proc/self/status"));
        assertEquals("denied\nCapInh:\t0000000000000000\n", r.out(), r.err());
        for (List<String> set : List.of(bundle.spec.process.capabilities.bounding, bundle.spec.process.capabilities.effective,
                bundle.spec.process.capabilities.permitted)) {
            set.add("CAP_SYS_ADMIN");
        }
        r = runner.run(bundle.sh("hostname other && hostname"));
        assertEquals("other\n", r.out(), r.err());
    }

    @Test
    void everyCapabilityAskedGivesWhatTheHostHas() throws Exception {
        // docker --privileged style: all of them, including any this sandbox lacks.
        List<String> all = new ArrayList<>(Capabilities.NAMES);
        RuntimeSpec.Capabilities c = bundle.spec.process.capabilities;
        c.bounding = all;
        c.effective = all;
        c.permitted = all;
        Runner.Result r = runner.run(bundle.sh("grep CapEff /proc/self/status"));
        assertEquals(0, r.exit(), r.err());
        String host = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:")).findFirst()
                .orElseThrow().substring(7).trim();
        assertEquals("CapEff:\t" + host + "\n", r.out());
    }

    @Test
    void linuxDevicesAreCreatedAndAllowed() throws Exception {
        RuntimeSpec.Device d = new RuntimeSpec.Device();
        d.path = "/dev/extra-null";
        d.type = "c";
        d.major = 1L;
        d.minor = 3L;
        d.fileMode = 0640;
        d.uid = 0L;
        d.gid = 5L;
        bundle.spec.linux.devices = List.of(d);
        Runner.Result r = runner.run(bundle.sh("stat -c '%A %g %t:%T' /dev/extra-null; echo x > /dev/extra-null && echo written;"
                + " cat /sys/fs/cgroup/devices/devices.list | grep -c '^c 1:3 '"));
        assertEquals("crw-r----- 5 1:3\nwritten\n1\n", r.out(), r.err());
    }

    @Test
    void noFileDescriptorLeaks() throws Exception {
        Runner.Result r = runner.run(bundle.sh("ls /proc/self/fd | tr '\\n' ' '"));
        // 0-2, and 3: the directory ls itself opened.
        assertEquals("0 1 2 3 ", r.out(), r.err());
    }

    @Test
    void cwdThroughAMagicLinkIsRefused() throws Exception {
        bundle.spec.process.cwd = "/proc/self/fd/3";
        ContainerException e = assertThrows(ContainerException.class, () -> runner.run(bundle.args("true")));
        assertTrue(e.getMessage().contains("chdir"), e.getMessage());
    }

    @Test
    void maskedAndReadonlyPaths() throws Exception {
        // /proc/keys is a file (gets /dev/null), /proc/acpi a directory (gets an empty read-only tmpfs).
        Runner.Result r = runner.run(bundle.sh("wc -c < /proc/keys; ls /proc/acpi | wc -l;"
                + " echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo rw || echo ro"));
        assertEquals("0\n0\nro\n", r.out(), r.err());
    }

    @Test
    void hostProcessesAreInvisible() throws Exception {
        long me = ProcessHandle.current().pid();
        Runner.Result r = runner.run(bundle.sh("echo $$; ls /proc | grep -c '^[0-9]'; kill -0 " + me + " 2>/dev/null && echo seen || echo unseen"));
        String[] lines = r.out().split("\n");
        assertEquals("1", lines[0]);
        assertTrue(Integer.parseInt(lines[1]) <= 3, r.out());
        assertEquals("unseen", lines[2]);
    }

    @Test
    void pidsLimitContainsAForkLoop() throws Exception {
        RuntimeSpec.Resources res = bundle.spec.linux.resources;
        res.pids = new RuntimeSpec.Pids();
        res.pids.limit = 8;
        // An inner shell forks until it fails (and gives up); read is a builtin, so the outer shell can
        // still report once fork no longer works.
        Runner.Result r = runner.run(bundle.sh("sh -c 'for i in $(seq 1 30); do sleep 2 & done'; "
                + "read c < /sys/fs/cgroup/pids/pids.current; read m < /sys/fs/cgroup/pids/pids.max; echo $c $m"));
        String[] f = r.out().trim().split(" ");
        assertTrue(Integer.parseInt(f[0]) <= 8, "processes in the container: " + r.out());
        assertEquals("8", f[1]);
        assertTrue(r.err().contains("can't fork"), r.err());
    }

    @Test
    void cpuAndCpusetLimits() throws Exception {
        RuntimeSpec.Cpu cpu = new RuntimeSpec.Cpu();
        cpu.shares = 512L;
        cpu.quota = 50000L;
        cpu.period = 100000L;
        cpu.cpus = "0";
        bundle.spec.linux.resources.cpu = cpu;
        Runner.Result r = runner.run(bundle.sh("cd /sys/fs/cgroup; cat cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus;"
                + " grep Cpus_allowed_list /proc/self/status"));
        assertEquals("512\n50000\n100000\n0\nCpus_allowed_list:\t0\n", r.out(), r.err());
    }

    @Test
    void hybridMachineJoinsTheUnifiedHierarchyAndPutsHugetlbLimitsThere() throws Exception {
        // These machines: v1 controllers, cgroup2 at /sys/fs/cgroup/unified offering hugetlb only.
        Cgroups cg = Cgroups.detect();
        assumeTrue(!cg.unifiedOnly() && Cgroups.HYBRID_UNIFIED.equals(cg.unifiedRoot()), "not a hybrid cgroup machine");
        boolean huge = cg.version("hugetlb") == 2 && Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB"));
        if (huge) {
            RuntimeSpec.HugepageLimit h = new RuntimeSpec.HugepageLimit();
            h.pageSize = "2MB";
            h.limit = 6L << 20;
            bundle.spec.linux.resources.hugepageLimits = List.of(h);
        }
        bundle.sh("true");
        String id = runner.newId("t");
        Path dir = Cgroups.HYBRID_UNIFIED.resolve("oci").resolve(id);
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            long pid = runner.containers.state(id).pid();
            assertEquals(List.of(Long.toString(pid)), Files.readAllLines(dir.resolve("cgroup.procs")));
            if (huge) assertEquals(Long.toString(6L << 20), Cgroups.readVirtual(dir.resolve("hugetlb.2MB.max")));
            runner.containers.start(id);
            assertEquals(0, c.waitFor(), runner.err(id));
        } finally {
            runner.containers.delete(id, true);
        }
        assertFalse(Files.exists(dir), "the unified cgroup was left behind");
    }

    @Test
    void memoryLimitTriggersTheOomKiller() throws Exception {
        RuntimeSpec.Resources res = bundle.spec.linux.resources;
        res.memory = new RuntimeSpec.Memory();
        res.memory.limit = 16L << 20;
        bundle.sh("cat /sys/fs/cgroup/memory/memory.limit_in_bytes; x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            assertEquals(137, c.waitFor(), runner.err(id));
            String oom = Files.readString(Path.of("/sys/fs/cgroup/memory/oci", id, "memory.oom_control"));
            assertTrue(oom.matches("(?s).*oom_kill [1-9].*"), oom);
            assertEquals(Long.toString(16L << 20) + "\n", runner.out(id));
        } finally {
            runner.containers.delete(id, true);
        }
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory/oci", id)));
    }

    @Test
    void seccompBlockedSyscallFailsWithTheConfiguredErrno() throws Exception {
        RuntimeSpec.Seccomp sc = new RuntimeSpec.Seccomp();
        sc.defaultAction = "SCMP_ACT_ALLOW";
        sc.architectures = List.of("SCMP_ARCH_X86_64");
        RuntimeSpec.Syscall rule = new RuntimeSpec.Syscall();
        rule.names = List.of("mkdir", "mkdirat", "no_such_syscall");
        rule.action = "SCMP_ACT_ERRNO";
        rule.errnoRet = 13; // EACCES
        sc.syscalls = List.of(rule);
        bundle.spec.linux.seccomp = sc;
        bundle.spec.root.readonly = false;
        Runner.Result r = runner.run(bundle.sh("mkdir /tmp/d; echo still here; ls /tmp"));
        assertEquals("still here\n", r.out());
        assertTrue(r.err().contains("Permission denied"), r.err());
    }

    @Test
    void seccompAllowListLikeDockersShape() throws Exception {
        // Default ERRNO, every syscall of the table allowed but mkdir/mkdirat, personality only with arg 0.
        RuntimeSpec.Seccomp sc = new RuntimeSpec.Seccomp();
        sc.defaultAction = "SCMP_ACT_ERRNO";
        sc.architectures = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        RuntimeSpec.Syscall allow = new RuntimeSpec.Syscall();
        allow.names = Seccomp.syscalls().keySet().stream().filter(n -> !n.startsWith("mkdir") && !n.equals("personality")).sorted().toList();
        allow.action = "SCMP_ACT_ALLOW";
        RuntimeSpec.Syscall personality = new RuntimeSpec.Syscall();
        personality.names = List.of("personality");
        personality.action = "SCMP_ACT_ALLOW";
        RuntimeSpec.SyscallArg zero = new RuntimeSpec.SyscallArg();
        zero.index = 0;
        zero.op = "SCMP_CMP_EQ";
        personality.args = List.of(zero);
        sc.syscalls = List.of(allow, personality);
        bundle.spec.linux.seccomp = sc;
        bundle.spec.root.readonly = false;
        Runner.Result r = runner.run(bundle.sh("echo start; mkdir /tmp/nope 2>&1; ls /tmp | wc -l; exit 3"));
        assertEquals(3, r.exit(), r.err());
        assertEquals("start\nmkdir: can't create directory '/tmp/nope': Operation not permitted\n0\n", r.out());
    }

    @Test
    void seccompFiltersI386SyscallsByTheirOwnNumbers() throws Exception {
        // A static i386 program (int 0x80): mkdir is i386 syscall 39, not x86_64's 83.
        Path src = tmp.resolve("i386-mkdir.c");
        try (var in = ContainerTest.class.getResourceAsStream("i386-mkdir.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path exe = bundle.dir.resolve("rootfs/bin/i386-mkdir");
        Process cc = new ProcessBuilder("gcc", "-m32", "-static", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-fno-pie",
                "-no-pie", "-O2", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes());
        assumeTrue(cc.waitFor() == 0, "gcc -m32 cannot build an i386 program (gcc-multilib, installed by .ci/run): " + ccOut);
        assumeTrue(hostRunsI386(), "this kernel cannot execute i386 programs (no IA32 emulation); "
                + "the x86 seccomp table is still covered by SeccompTest's BPF interpreter");
        try {
            RuntimeSpec.Seccomp sc = new RuntimeSpec.Seccomp();
            sc.defaultAction = "SCMP_ACT_ALLOW";
            sc.architectures = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
            RuntimeSpec.Syscall rule = new RuntimeSpec.Syscall();
            rule.names = List.of("mkdir", "mkdirat");
            rule.action = "SCMP_ACT_ERRNO";
            rule.errnoRet = 13; // EACCES
            sc.syscalls = List.of(rule);
            bundle.spec.linux.seccomp = sc;
            bundle.spec.root.readonly = false;
            bundle.args("/bin/i386-mkdir");
            Runner.Result blocked = runner.run(bundle);
            assertEquals("EACCES\n", blocked.out(), blocked.err());
            assertEquals(0, blocked.exit());
            // Without SCMP_ARCH_X86 in the filter, an i386 syscall gets the bad-arch action: SIGSYS.
            sc.architectures = List.of("SCMP_ARCH_X86_64");
            bundle.save();
            Runner.Result killed = runner.run(bundle);
            assertEquals("", killed.out());
            assertEquals(128 + 31, killed.exit(), killed.err());
            // Without a filter the same program makes its directory.
            bundle.spec.linux.seccomp = null;
            bundle.save();
            Runner.Result made = runner.run(bundle);
            assertEquals("made\n", made.out(), made.err());
        } finally {
            Files.deleteIfExists(exe);
            Files.deleteIfExists(bundle.dir.resolve("rootfs/tmp/i386"));
        }
    }

    /**
     * Whether the host kernel runs a static i386 program at all: some kernels are built without
     * IA32 emulation (or boot with it off), and then exec gives ENOEXEC whatever the container does.
     */
    private boolean hostRunsI386() throws Exception {
        Path src = tmp.resolve("i386-exit.c");
        Files.writeString(src, "void _start(void) { __asm__ volatile(\"int $0x80\" :: \"a\"(1), \"b\"(0)); for (;;) {} }\n");
        Path exe = tmp.resolve("i386-exit");
        Process cc = new ProcessBuilder("gcc", "-m32", "-static", "-nostdlib", "-ffreestanding", "-fno-pie", "-no-pie",
                "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        cc.getInputStream().transferTo(OutputStream.nullOutputStream());
        if (cc.waitFor() != 0) return false;
        try {
            Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            return p.waitFor() == 0;
        } catch (IOException e) { // "Exec format error"
            return false;
        }
    }

    @Test
    void mountDestinationSymlinkCannotEscapeTheRoot() throws Exception {
        Path link = bundle.dir.resolve("rootfs/mnt");
        Files.createSymbolicLink(link, Path.of("/"));
        String name = "oci-escape-" + ProcessHandle.current().pid();
        try {
            List<RuntimeSpec.Mount> mounts = new ArrayList<>(bundle.spec.mounts);
            mounts.add(new RuntimeSpec.Mount("/mnt/" + name, "tmpfs", "tmpfs", List.of("size=1m")));
            bundle.spec.mounts = mounts;
            Runner.Result r = runner.run(bundle.sh("grep -c ' /" + name + " ' /proc/mounts"));
            assertEquals("1\n", r.out(), r.err());
            assertFalse(Files.exists(Path.of("/" + name)), "created on the host");
            assertTrue(Files.isDirectory(bundle.dir.resolve("rootfs/" + name)));
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(bundle.dir.resolve("rootfs/" + name));
        }
    }

    @Test
    void devNullSymlinkIsNotUsedToMask() throws Exception {
        // runc CVE-2025-31133: no tmpfs on /dev, and the rootfs's /dev/null points into /proc.
        bundle.spec.mounts = new ArrayList<>(bundle.spec.mounts.stream().filter(m -> !m.destination.startsWith("/dev")).toList());
        Path devnull = bundle.dir.resolve("rootfs/dev/null");
        Files.createSymbolicLink(devnull, Path.of("/proc/sys/kernel/core_pattern"));
        String before = Files.readString(Path.of("/proc/sys/kernel/core_pattern"));
        try {
            ContainerException e = assertThrows(ContainerException.class, () -> runner.run(bundle.args("true")));
            assertTrue(e.getMessage().contains("not the null device"), e.getMessage());
            assertEquals(before, Files.readString(Path.of("/proc/sys/kernel/core_pattern")));
        } finally {
            Files.deleteIfExists(devnull);
        }
    }

    @Test
    void initRunsFromASealedMemfd() throws Exception {
        Path init = InitBinary.path(runner.root);
        String before = sha256(init);
        bundle.sh("sleep 30");
        String id = runner.newId("t");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            long pid = runner.containers.state(id).pid();
            String exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
            assertTrue(exe.startsWith("/memfd:oci-init"), exe);
            // What CVE-2019-5736 did through /proc/PID/exe: the sealed copy refuses to be written.
            assertThrows(IOException.class, () -> {
                try (var out = Files.newOutputStream(Path.of("/proc", Long.toString(pid), "exe"), java.nio.file.StandardOpenOption.WRITE)) {
                    out.write(new byte[] {0x7f});
                }
            });
        } finally {
            runner.containers.delete(id, true);
        }
        assertEquals(before, sha256(init));
    }

    @Test
    void unsupportedFieldsAreRefused() throws Exception {
        bundle.spec.process.apparmorProfile = "docker-default";
        ContainerException e = assertThrows(ContainerException.class, () -> runner.run(bundle.args("true")));
        assertTrue(e.getMessage().contains("process.apparmorProfile"), e.getMessage());
        assertEquals(List.of(), runner.containers.list());
    }

    @Test
    void twentyContainersInParallel() throws Exception {
        bundle.sh("echo $$ $(hostname)");
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Runner.Result>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) all.add(pool.submit(() -> runner.run(bundle)));
            for (Future<Runner.Result> f : all) {
                Runner.Result r = f.get();
                assertEquals(0, r.exit(), r.err());
                assertEquals("1 runc\n", r.out());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), runner.containers.list());
    }

    @Test
    void userNamespaceWithIdMappings() throws Exception {
        // The container's root is host uid 100000: it must be able to reach the rootfs.
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        bundle.spec.linux.namespaces.add(new RuntimeSpec.Namespace("user", null));
        bundle.spec.linux.uidMappings = List.of(new RuntimeSpec.IdMapping(0, 100000, 65536));
        bundle.spec.linux.gidMappings = List.of(new RuntimeSpec.IdMapping(0, 100000, 65536));
        Runner.Result r = runner.run(bundle.sh("id -u; tr -s ' ' < /proc/self/uid_map; echo > /dev/null && echo devnull ok"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("0\n 0 100000 65536\ndevnull ok\n", r.out());
    }

    @Test
    void joinsANamespaceByPath() throws Exception {
        // The test JVM's uts namespace joined by path: the container sees the host's hostname.
        bundle.spec.hostname = null;
        bundle.spec.linux.namespaces.removeIf(n -> n.type.equals("uts"));
        bundle.spec.linux.namespaces.add(new RuntimeSpec.Namespace("uts", "/proc/" + ProcessHandle.current().pid() + "/ns/uts"));
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        Runner.Result r = runner.run(bundle.args("hostname"));
        assertEquals(host + "\n", r.out(), r.err());
    }

    @Test
    void terminalProxiedByTheMonitorForAnAttachedRun() throws Exception {
        bundle.spec.process.terminal = true;
        bundle.sh("tty; [ -t 0 ] && [ -t 1 ] && echo all a tty; exit 3");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            assertEquals(3, c.waitFor());
            assertEquals("/dev/pts/0\r\nall a tty\r\n", runner.out(id));
        } finally {
            runner.containers.delete(id, true);
        }
        // Detached, a terminal needs somewhere to send the pty.
        ContainerException e = assertThrows(ContainerException.class,
                () -> runner.containers.create(runner.newId("t"), bundle.dir, runner.stdio("x"), null, null));
        assertTrue(e.getMessage().contains("--console-socket"), e.getMessage());
    }

    @Test
    void terminalMasterSentToTheConsoleSocket() throws Exception {
        Path src = tmp.resolve("console-receiver.c");
        try (var in = ContainerTest.class.getResourceAsStream("console-receiver.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path exe = tmp.resolve("console-receiver");
        assertEquals(0, new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), src.toString()).inheritIO().start().waitFor());
        Path sock = tmp.resolve("console.sock");
        Process receiver = new ProcessBuilder(exe.toString(), sock.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("listening\n", new String(receiver.getInputStream().readNBytes(10)));
            bundle.spec.process.terminal = true;
            bundle.sh("echo hello terminal; tty");
            String id = runner.newId("t");
            Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, sock, true);
            try {
                runner.containers.start(id);
                assertEquals(0, c.waitFor());
            } finally {
                runner.containers.delete(id, true);
            }
            assertEquals("hello terminal\r\n/dev/pts/0\r\n", new String(receiver.getInputStream().readAllBytes()));
        } finally {
            receiver.destroyForcibly().waitFor();
        }
    }

    @Test
    void execJoinsTheContainer() throws Exception {
        bundle.spec.hostname = "execbox";
        bundle.args("sleep", "30");
        String id = runner.newId("t");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            RuntimeSpec.Process p = runner.containers.process(id);
            p.args = List.of("sh", "-c", "echo $$ $(hostname) $(cat /proc/1/cmdline | tr '\\0' ' '); id -u; ls /proc/self/fd | tr '\\n' ' '; exit 6");
            p.user.uid = 65534;
            String x = id + "-x";
            Containers.Created e = runner.containers.exec(id, p, runner.stdio(x), null, null, true);
            assertEquals(6, e.waitFor(), runner.err(x));
            String[] lines = runner.out(x).split("\n");
            assertTrue(lines[0].matches("[2-9][0-9]* execbox sleep 30"), lines[0]);
            assertEquals("65534", lines[1]);
            assertEquals("0 1 2 3 ", lines[2]);
            // with a terminal, proxied to our stdio
            p.args = List.of("tty");
            p.user.uid = 0;
            p.terminal = true;
            String t = id + "-t";
            assertEquals(0, runner.containers.exec(id, p, runner.stdio(t), null, null, true).waitFor(), runner.err(t));
            assertTrue(runner.out(t).startsWith("/dev/pts/"), runner.out(t));
        } finally {
            runner.containers.delete(id, true);
        }
        RuntimeSpec.Process p = new RuntimeSpec.Process();
        p.args = List.of("true");
        ContainerException gone = assertThrows(ContainerException.class, () -> runner.containers.exec(id, p, runner.stdio("y"), null, null, false));
        assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
    }

    @Test
    void killAllSignalsEveryProcessOfTheCgroup() throws Exception {
        bundle.sh("sleep 30 & sleep 30 & echo up; wait");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            waitFor(() -> runner.out(id).contains("up"));
            assertEquals(3, Cgroups.pids(List.of(Path.of("/sys/fs/cgroup/pids/oci", id))).size());
            runner.containers.kill(id, 9, true);
            assertEquals(137, c.waitFor());
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void withoutAPidNamespaceDeleteKillsWhatIsLeft() throws Exception {
        bundle.spec.linux.namespaces.removeIf(n -> n.type.equals("pid"));
        bundle.spec.mounts.removeIf(m -> m.destination.equals("/proc"));
        bundle.sh("sleep 60 & echo $!");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        long orphan;
        try {
            runner.containers.start(id);
            assertEquals(0, c.waitFor());
            orphan = Long.parseLong(runner.out(id).trim());
            assertTrue(orphan > 1, "a host pid: " + orphan);
            assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan outlives pid 1");
        } finally {
            runner.containers.delete(id, true);
        }
        long o = orphan;
        // Re-parented to us (the waiting run is a child subreaper, as runc's is): killed, it is our zombie.
        waitFor(() -> Containers.startTime(o) < 0);
        oci.linux.ProcessCalls.waitpid((int) o, true);
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/pids/oci", id)));
    }

    @Test
    void hooksRunInOrderWithStateOnStdin() throws Exception {
        Path log = tmp.resolve("hooks.log");
        Files.deleteIfExists(log);
        Path hook = tmp.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$1 $(cat | tr -d ' \\n' | grep -o '\"status\":\"[a-z]*\"')\" >> " + log + "\n");
        hook.toFile().setExecutable(true);
        RuntimeSpec.Hooks hooks = new RuntimeSpec.Hooks();
        // startContainer runs inside the container (after pivot_root): its own script, logging to the container's stdout.
        Files.writeString(bundle.dir.resolve("rootfs/hook.sh"), "#!/bin/sh\necho \"$1 $(cat | tr -d ' \\n' | grep -o '\"pid\":[0-9]*')\"\n");
        bundle.dir.resolve("rootfs/hook.sh").toFile().setExecutable(true);
        hooks.createRuntime = List.of(hook("createRuntime", hook));
        hooks.createContainer = List.of(hook("createContainer", hook));
        hooks.startContainer = List.of(hook("startContainer", Path.of("/hook.sh")));
        hooks.poststart = List.of(hook("poststart", hook));
        hooks.poststop = List.of(hook("poststop", hook));
        bundle.spec.hooks = hooks;
        bundle.spec.process.env = new ArrayList<>(List.of("PATH=/bin"));
        try {
            Runner.Result r = runner.run(bundle.args("echo", "process"));
            assertEquals(0, r.exit(), r.err());
            List<String> lines = Files.readAllLines(log);
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("createRuntime \"status\":\"creating\""), lines.toString());
            assertTrue(lines.get(1).startsWith("createContainer \"status\":\"creating\""), lines.toString());
            assertTrue(lines.get(2).startsWith("poststart \"status\":\"running\""), lines.toString()); // even if it exited already
            assertEquals("poststop \"status\":\"stopped\"", lines.get(3));
            assertTrue(r.out().matches("startContainer \"pid\":[1-9][0-9]*\nprocess\n"), r.out());
        } finally {
            Files.delete(bundle.dir.resolve("rootfs/hook.sh"));
        }
    }

    @Test
    void aCgroupValueTheKernelRefusesLeavesNoCgroup() throws Exception {
        // The directories are made, then a write fails: nothing may stay (nothingLeft checks).
        bundle.spec.linux.resources.pids = new RuntimeSpec.Pids();
        bundle.spec.linux.resources.pids.limit = 100L;
        bundle.spec.linux.resources.devices = List.of(deviceRule("c", 1L << 40));
        bundle.sh("true");
        String id = runner.newId("t");
        assertThrows(ContainerException.class, () -> runner.containers.create(id, bundle.dir, runner.stdio(id), null, null));
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/pids/oci", id)));
    }

    private static RuntimeSpec.DeviceCgroup deviceRule(String type, long major) {
        RuntimeSpec.DeviceCgroup d = new RuntimeSpec.DeviceCgroup();
        d.allow = true;
        d.type = type;
        d.major = major;
        d.minor = 1L;
        d.access = "rwm";
        return d;
    }

    @Test
    void aFailureBetweenStartAndExecFailsTheStart() throws Exception {
        // The init is released by start, then runs the startContainer hooks and execs: a failure
        // there reaches `oci start` through the exec fifo (the conformance suite saw exit 0).
        RuntimeSpec.Hooks hooks = new RuntimeSpec.Hooks();
        hooks.startContainer = List.of(hook("startContainer", Path.of("/bin/false")));
        bundle.spec.hooks = hooks;
        bundle.sh("echo ran");
        String id = runner.newId("t");
        Containers.Created c = runner.containers.create(id, bundle.dir, runner.stdio(id), null, null, true);
        try {
            ContainerException e = assertThrows(ContainerException.class, () -> runner.containers.start(id));
            assertEquals("start container " + id + ": run startContainer hook \"/bin/false\": exit status 1", e.getMessage());
            assertEquals(127, c.waitFor());
            assertEquals("", runner.out(id));
            assertEquals("stopped", runner.containers.state(id).status());
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void aSeccompProfileWithoutCloseRangeStillClosesEveryFd() throws Exception {
        // Profiles older than close_range (the conformance suite's) deny it; without
        // noNewPrivileges the filter is in force before the fds are closed: /proc/self/fd then.
        RuntimeSpec.Seccomp sc = new RuntimeSpec.Seccomp();
        sc.defaultAction = "SCMP_ACT_ERRNO";
        sc.architectures = List.of("SCMP_ARCH_X86_64");
        RuntimeSpec.Syscall allow = new RuntimeSpec.Syscall();
        allow.names = Seccomp.syscalls().keySet().stream().filter(n -> !n.equals("close_range")).sorted().toList();
        allow.action = "SCMP_ACT_ALLOW";
        sc.syscalls = List.of(allow);
        bundle.spec.linux.seccomp = sc;
        bundle.spec.process.noNewPrivileges = false;
        Runner.Result r = runner.run(bundle.sh("ls /proc/self/fd | tr '\\n' ' '; exit 4"));
        assertEquals(4, r.exit(), r.err());
        assertEquals("0 1 2 3 ", r.out());
    }

    @Test
    void rootfsPropagationSharedStillPivots() throws Exception {
        // "/" made rshared makes the mount holding the rootfs shared too, and pivot_root refuses a
        // shared parent: that mount is made private first, as runc does.
        for (String prop : List.of("shared", "rshared", "slave", "rprivate")) {
            bundle.spec.linux.rootfsPropagation = prop;
            Runner.Result r = runner.run(bundle.sh("echo up"));
            assertEquals(new Runner.Result(0, "up\n", ""), r, prop);
        }
    }

    @Test
    void withoutAMountNamespaceTheMountsAreTheHostsUntilDelete() throws Exception {
        // runc runs such a config (the conformance suite's linux_ns_itype): the mounts are made in
        // the host's namespace under the rootfs, entered with chroot; delete unmounts them.
        bundle.spec.linux.namespaces = bundle.spec.linux.namespaces.stream().filter(n -> !n.type.equals("mount")).toList();
        bundle.sh("sleep 30");
        String refused = assertThrows(ContainerException.class,
                () -> runner.containers.create(runner.newId("t"), bundle.dir, runner.stdio("r"), null, null)).getMessage();
        assertTrue(refused.endsWith("linux.maskedPaths and linux.readonlyPaths need a mount namespace of the container's own"), refused);
        bundle.spec.linux.maskedPaths = null;
        bundle.spec.linux.readonlyPaths = null;
        bundle.spec.root.readonly = false;
        bundle.save();
        String rootfs = bundle.dir.resolve("rootfs").toRealPath().toString();
        String id = runner.newId("t");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null);
        try {
            long pid = runner.containers.state(id).pid();
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")), Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")));
            assertEquals(rootfs, Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")).toString());
            assertTrue(mountsBelow(rootfs).contains(rootfs + "/proc"), mountsBelow(rootfs).toString());
            // its cgroup mounts, in this namespace now, are not taken for the host's hierarchies
            for (Path d : Cgroups.detect().dirs("/oci/other")) assertTrue(d.startsWith("/sys/fs/cgroup/"), d.toString());
            runner.containers.start(id);
            // exec enters the container's root too
            RuntimeSpec.Process p = runner.containers.process(id);
            p.args = List.of("sh", "-c", "test -x /bin/busybox && test ! -e " + rootfs);
            String x = id + "-x";
            assertEquals(0, runner.containers.exec(id, p, runner.stdio(x), null, null, true).waitFor(), runner.err(x));
        } finally {
            runner.containers.delete(id, true);
        }
        assertEquals(List.of(), mountsBelow(rootfs));
    }

    private static List<String> mountsBelow(String dir) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(dir + "/")).toList();
    }

    private static RuntimeSpec.Hook hook(String name, Path path) {
        RuntimeSpec.Hook h = new RuntimeSpec.Hook();
        h.path = path.toString();
        h.args = List.of(path.toString(), name);
        h.timeout = 10;
        return h;
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (c.ok()) return;
            Thread.sleep(10);
        }
        throw new AssertionError("condition not reached in 5s");
    }

}
