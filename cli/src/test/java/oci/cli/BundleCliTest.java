package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.image.store.Store;
import oci.testdata.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci bundle}, {@code oci spec} and {@code oci validate} through the command line, and
 * against the real tools: Debian's runc runs what {@code oci bundle} makes, {@code oci spec} writes
 * what {@code runc spec} writes, and {@code oci validate} accepts what {@code umoci unpack} makes.
 */
class BundleCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Bundles have overlay rootfs mounts: none outlives its test. */
    @AfterEach
    void unmountBundles() throws Exception {
        oci.testdata.Mounts.unmountAllUnder(tmp);
    }
    Path storeDir;

    record Result(int code, String out, String err) {}

    Result oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        // --root: the run that bundle prepares is kept in the test's state root, not the machine's.
        List<String> all = new ArrayList<>(List.of("--store", storeDir.toString(), "--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void store() {
        storeDir = tmp.resolve("store");
        Store s = Store.open(storeDir);
        TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh", "-c", "echo hello from busybox").into(s, "example.com/busybox:1");
    }

    static Result exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        return new Result(p.exitValue(), new String(out), new String(err));
    }

    static boolean root() {
        return oci.bundle.ConfigGenerator.Host.current().uid() == 0;
    }

    static boolean installed(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    @Test
    void bundleRunsUnderRunc() throws Exception {
        assumeTrue(root(), "runc run needs root (namespaces, cgroups); run the tests as root");
        assumeTrue(installed("runc"), "runc is not installed (apt-get install runc)");
        Path dir = tmp.resolve("b");
        Result r = oci("bundle", "example.com/busybox:1", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(dir + "\n", r.out());
        Result valid = oci("validate", dir.toString());
        assertEquals(0, valid.code(), valid.out() + valid.err());
        Path runcRoot = Files.createDirectory(tmp.resolve("runc-root"));
        String id = "oci-bundle-test-" + ProcessHandle.current().pid();
        try {
            Result run = exec(dir, "runc", "--root", runcRoot.toString(), "run", "-b", dir.toString(), id);
            assertEquals(0, run.code(), run.err());
            assertEquals("hello from busybox\n", run.out());
        } finally {
            exec(dir, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }
    }

    @Test
    void userVolumesAndArgsUnderRunc() throws Exception {
        assumeTrue(root(), "runc run needs root (namespaces, cgroups); run the tests as root");
        assumeTrue(installed("runc"), "runc is not installed (apt-get install runc)");
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("f"), "from the host");
        Path dir = tmp.resolve("b");
        Result r = oci("bundle", "example.com/busybox:1", dir.toString(), "-u", "nobody", "-v", host + ":/mnt:ro",
                "--tmpfs", "/scratch", "-e", "GREETING=hi", "--read-only", "--memory", "64m", "--pids-limit", "50",
                "--", "sh", "-c", "busybox id -u; busybox id -g; busybox cat /mnt/f; echo; echo $GREETING; busybox touch /x 2>/dev/null || echo ro; busybox touch /mnt/y 2>/dev/null || echo mnt-ro; busybox touch /scratch/z && echo tmpfs-rw");
        assertEquals(0, r.code(), r.err());
        Path runcRoot = Files.createDirectory(tmp.resolve("runc-root"));
        String id = "oci-bundle-test2-" + ProcessHandle.current().pid();
        try {
            Result run = exec(dir, "runc", "--root", runcRoot.toString(), "run", "-b", dir.toString(), id);
            assertEquals(0, run.code(), run.err());
            assertEquals("65534\n65534\nfrom the host\nhi\nro\nmnt-ro\ntmpfs-rw\n", run.out());
        } finally {
            exec(dir, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }
    }

    @Test
    void seccompDefaultDeniesUnderRunc() throws Exception {
        assumeTrue(root(), "runc run needs root (namespaces, cgroups); run the tests as root");
        assumeTrue(installed("runc"), "runc is not installed (apt-get install runc)");
        // swapon is not in the default profile even with CAP_SYS_ADMIN: the filter answers EPERM; unconfined,
        // the kernel gets to read the file and says it is not a swap area (EINVAL)
        String cmd = "busybox touch /tmp/s; busybox chmod 600 /tmp/s; busybox swapon /tmp/s 2>&1; true";
        assertEquals("swapon: /tmp/s: Operation not permitted\n", runInRunc("s1", "--cap-add", "SYS_ADMIN", "--", "sh", "-c", cmd));
        assertEquals("swapon: /tmp/s: Invalid argument\n",
                runInRunc("s2", "--cap-add", "SYS_ADMIN", "--seccomp", "unconfined", "--", "sh", "-c", cmd));
    }

    @Test
    void volumesHooksRootlessPrivilegedUnderRunc() throws Exception {
        assumeTrue(root(), "runc run needs root (namespaces, cgroups); run the tests as root");
        assumeTrue(installed("runc"), "runc is not installed (apt-get install runc)");
        Store s = Store.open(storeDir);
        TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh", "-c", "echo data > /data/f; echo written")
                .config("Volumes", java.util.Map.of("/data", java.util.Map.of())).into(s, "example.com/vol:1");
        // an anonymous volume: what the container writes there lands in DIR/volumes/0, not in the rootfs
        Path marker = tmp.resolve("hook-ran");
        Path dir = tmp.resolve("vol");
        Result r = oci("bundle", "example.com/vol:1", dir.toString(), "--hook", "poststart=/usr/bin/touch " + marker);
        assertEquals(0, r.code(), r.err());
        Path runcRoot = Files.createDirectories(tmp.resolve("runc-root"));
        String id = "oci-bundle-vol-" + ProcessHandle.current().pid();
        try {
            Result run = exec(dir, "runc", "--root", runcRoot.toString(), "run", "-b", dir.toString(), id);
            assertEquals("written\n", run.out(), run.err());
        } finally {
            exec(dir, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }
        assertEquals("data\n", Files.readString(dir.resolve("volumes/0/f")));
        assertFalse(Files.exists(dir.resolve("rootfs/data/f")));
        assertTrue(Files.exists(marker), "the poststart hook ran");

        // a --rootless bundle (here the user namespace maps root to root) and a --privileged one
        assertEquals("0\n", runInRunc("rl", "--rootless", "--", "sh", "-c", "busybox id -u"));
        assertEquals("ok\n", runInRunc("pv", "--privileged", "--", "sh", "-c", "busybox mount -t tmpfs none /tmp && echo ok"));
    }

    /** Bundles the busybox image with {@code options} and runs it under runc; returns its stdout. */
    String runInRunc(String name, String... options) throws Exception {
        Path dir = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("bundle", "example.com/busybox:1", dir.toString()));
        args.addAll(List.of(options));
        Result r = oci(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Path runcRoot = Files.createDirectories(tmp.resolve("runc-root"));
        String id = "oci-bundle-" + name + "-" + ProcessHandle.current().pid();
        try {
            Result run = exec(dir, "runc", "--root", runcRoot.toString(), "run", "-b", dir.toString(), id);
            assertEquals(0, run.code(), run.err());
            return run.out();
        } finally {
            exec(dir, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }
    }

    @Test
    void rootfsTarWithoutImageConfig() throws Exception {
        Path tar = tmp.resolve("export.tar");
        Files.write(tar, TestImage.busyboxLayer());
        Path dir = tmp.resolve("b");
        Result noCmd = oci("bundle", "--rootfs-tar", tar.toString(), dir.toString());
        assertEquals(1, noCmd.code());
        assertEquals("oci: a rootfs without an image config has no command: give it after --, e.g. `oci bundle --rootfs-tar FILE DIR -- sh`\n", noCmd.err());
        assertFalse(Files.exists(dir));
        Path garbage = Files.writeString(tmp.resolve("garbage.tar"), "not a tar header ".repeat(64));
        Result bad = oci("bundle", "--rootfs-tar", garbage.toString(), dir.toString(), "--", "sh");
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("oci: rootfs tarball " + garbage + ": "), "names the tarball: " + bad.err());
        assertFalse(Files.exists(dir));
        Result r = oci("bundle", "--rootfs-tar", tar.toString(), dir.toString(), "--", "sh", "-c", "echo exported");
        assertEquals(0, r.code(), r.err());
        JsonNode c = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("[\"sh\",\"-c\",\"echo exported\"]", c.at("/process/args").toString());
        if (root() && installed("runc")) {
            Path runcRoot = Files.createDirectory(tmp.resolve("runc-root"));
            String id = "oci-bundle-test4-" + ProcessHandle.current().pid();
            try {
                Result run = exec(dir, "runc", "--root", runcRoot.toString(), "run", "-b", dir.toString(), id);
                assertEquals("exported\n", run.out(), run.err());
            } finally {
                exec(dir, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
            }
        }
    }

    @Test
    void badInputOneLine() throws Exception {
        Result missing = oci("bundle", "--pull", "never", "nosuch/image:1", tmp.resolve("b").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("oci: image \"nosuch/image:1\" is not in the store ") && missing.err().contains("oci pull nosuch/image:1"), missing.err());
        assertEquals(1, missing.err().lines().count());
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        Result notEmpty = oci("bundle", "example.com/busybox:1", full.toString());
        assertEquals("oci: bundle directory " + full + " is not empty (use --force to replace its rootfs and config.json)\n", notEmpty.err());
        Result badMem = oci("bundle", "example.com/busybox:1", tmp.resolve("c").toString(), "--memory", "lots");
        assertEquals("oci: --memory \"lots\": not a size like 512m or 2g (units b, k, m, g, t)\n", badMem.err());
        Result badCap = oci("bundle", "example.com/busybox:1", tmp.resolve("c").toString(), "--cap-add", "FLY");
        assertEquals("oci: unknown capability \"FLY\" (names look like CAP_NET_ADMIN or net_admin)\n", badCap.err());
        Result rel = oci("bundle", "example.com/busybox:1", tmp.resolve("c").toString(), "--tmpfs", "tmp");
        assertEquals("oci: --tmpfs \"tmp\": the destination \"tmp\" must be an absolute path\n", rel.err());
        Result noSrc = oci("bundle", "example.com/busybox:1", tmp.resolve("c").toString(), "-v", "/no/such:/x");
        assertEquals("oci: --volume \"/no/such:/x\": the source /no/such does not exist\n", noSrc.err());
        Result user = oci("bundle", "example.com/busybox:1", tmp.resolve("c").toString(), "-u", "ghost");
        assertEquals("oci: user \"ghost\": no user \"ghost\" in the image's /etc/passwd\n", user.err());
        assertFalse(Files.exists(tmp.resolve("c")), "nothing half-written");
    }

    @Test
    void specIsRuncSpec() throws Exception {
        assumeTrue(installed("runc"), "runc is not installed (apt-get install runc)");
        for (boolean rootless : new boolean[] {false, true}) {
            Path ours = Files.createDirectories(tmp.resolve("ours" + rootless));
            Path theirs = Files.createDirectories(tmp.resolve("runc" + rootless));
            Result r = rootless ? oci("spec", "--rootless", "-b", ours.toString()) : oci("spec", "-b", ours.toString());
            assertEquals(0, r.code(), r.err());
            Result runc = rootless ? exec(theirs, "runc", "spec", "--rootless") : exec(theirs, "runc", "spec");
            assertEquals(0, runc.code(), runc.err());
            ObjectNode a = (ObjectNode) JSON.readTree(ours.resolve("config.json").toFile());
            ObjectNode b = (ObjectNode) JSON.readTree(theirs.resolve("config.json").toFile());
            a.remove("ociVersion"); // ours names the spec version oci implements; runc 1.1 writes 1.0.2-dev
            b.remove("ociVersion");
            assertEquals(b, a, "rootless=" + rootless);
            assertEquals("oci: write spec: " + ours.resolve("config.json") + " already exists; remove it first\n",
                    oci("spec", "-b", ours.toString()).err());
        }
    }

    @Test
    void validatePrintsEveryProblem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("v"));
        assertEquals(0, oci("spec", "-b", dir.toString()).code());
        Files.createDirectory(dir.resolve("rootfs"));
        Result ok = oci("validate", dir.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) c.get("mounts").get(3)).put("destination", "dev/shm");
        ((com.fasterxml.jackson.databind.node.ArrayNode) c.at("/linux/namespaces")).addObject().put("type", "pid");
        Files.write(dir.resolve("config.json"), JSON.writeValueAsBytes(c));
        Result bad = oci("validate", dir.toString());
        assertEquals(1, bad.code());
        assertEquals("$.mounts[3].destination: must be an absolute path (\"dev/shm\")\n$.linux.namespaces[5].type: duplicate namespace pid\n", bad.out());
        assertEquals("oci: validate " + dir.resolve("config.json") + ": 2 problems\n", bad.err());
    }

    @Test
    void umociBundlePassesValidate() throws Exception {
        assumeTrue(installed("umoci"), "umoci is not installed (apt-get install umoci)");
        Store s = Store.open(storeDir);
        s.tag(s.resolve("example.com/busybox:1"), "umoci-test");
        Path dir = tmp.resolve("umoci-bundle");
        Result u = exec(tmp, "umoci", "unpack", "--image", storeDir + ":umoci-test", dir.toString());
        assertEquals(0, u.code(), u.err());
        Result v = oci("validate", dir.toString());
        assertEquals(0, v.code(), v.out() + v.err());
    }
}
