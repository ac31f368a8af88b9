package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import oci.image.Platform;
import oci.image.store.Store;
import oci.testdata.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nonsense options are refused with one clear line, before anything is written. */
class OptionsTest {
    @TempDir
    Path tmp;

    static String refused(Consumer<BundleOptions> set) {
        BundleOptions o = new BundleOptions();
        set.accept(o);
        return assertThrows(BundleException.class, () -> ConfigGenerator.check(o)).getMessage();
    }

    @Test
    void badValues() {
        assertEquals("--volume \"/tmp:data\": the destination \"data\" must be an absolute path", refused(o -> o.volumes = List.of("/tmp:data")));
        assertEquals("--volume \"/no/such/dir:/data\": the source /no/such/dir does not exist", refused(o -> o.volumes = List.of("/no/such/dir:/data")));
        assertEquals("--volume \"named:/data\": the source \"named\" must be an absolute host path (named volumes are not supported)",
                refused(o -> o.volumes = List.of("named:/data")));
        assertEquals("--volume \"/tmp:/data:rx\": unknown option \"rx\" (ro, rw, or a propagation like rprivate)", refused(o -> o.volumes = List.of("/tmp:/data:rx")));
        assertEquals("--volume \"/tmp\": expected SRC:DST[:ro|rw] (named volumes are not supported)", refused(o -> o.volumes = List.of("/tmp")));
        assertEquals("--volume \"/tmp:/\": cannot mount over the container's /", refused(o -> o.volumes = List.of("/tmp:/")));
        assertEquals("--mount \"type=bind,src=/tmp\": destination= is required", refused(o -> o.mounts = List.of("type=bind,src=/tmp")));
        assertEquals("--mount \"type=volume,dst=/x\": named volumes are not supported (use type=bind)", refused(o -> o.mounts = List.of("type=volume,dst=/x")));
        assertEquals("--mount \"type=tmpfs,dst=/x,color=red\": unknown key \"color\"", refused(o -> o.mounts = List.of("type=tmpfs,dst=/x,color=red")));
        assertEquals("--mount \"type=tmpfs,dst=/x,tmpfs-size=lots\" tmpfs-size \"lots\": not a size like 512m or 2g (units b, k, m, g, t)",
                refused(o -> o.mounts = List.of("type=tmpfs,dst=/x,tmpfs-size=lots")));
        assertEquals("--tmpfs \"run\": the destination \"run\" must be an absolute path", refused(o -> o.tmpfs = List.of("run")));
        assertEquals("unknown capability \"CAP_FLY\" (names look like CAP_NET_ADMIN or net_admin)", refused(o -> o.capAdd = List.of("CAP_FLY")));
        assertEquals("unknown capability \"fly\" (names look like CAP_NET_ADMIN or net_admin)", refused(o -> o.capDrop = List.of("fly")));
        assertEquals("--memory \"lots\": not a size like 512m or 2g (units b, k, m, g, t)", refused(o -> o.memory = "lots"));
        assertEquals("--memory \"0\": must be greater than 0", refused(o -> o.memory = "0"));
        assertEquals("--memory \"-5m\": not a size like 512m or 2g (units b, k, m, g, t)", refused(o -> o.memory = "-5m"));
        assertEquals("--cpus \"two\": not a number of CPUs like 1.5", refused(o -> o.cpus = "two"));
        assertEquals("--cpus \"0\": must be greater than 0", refused(o -> o.cpus = "0"));
        assertEquals("--cpuset-cpus \"0-\": not a CPU list like 0-3,7", refused(o -> o.cpusetCpus = "0-"));
        assertEquals("--net \"bridge\": expected host, none or ns:PATH", refused(o -> o.net = "bridge"));
        assertEquals("--net ns:netns/x: the namespace path must be absolute", refused(o -> o.net = "ns:netns/x"));
        assertEquals("--pid \"container:x\": only \"host\" is supported", refused(o -> o.pid = "container:x"));
        assertEquals("--hostname: cannot set a host name with --uts host", refused(o -> {
            o.uts = "host";
            o.hostname = "x";
        }));
        assertEquals("--hostname \"-bad\": not a host name (letters, digits, '-' and '.', at most 63)", refused(o -> o.hostname = "-bad"));
        assertEquals("--workdir \"srv\": must be an absolute path", refused(o -> o.workdir = "srv"));
        assertEquals("-e \"=x\": not KEY=VALUE", refused(o -> o.env = List.of("=x")));
        assertEquals("read --env-file /no/env: no such file", refused(o -> o.envFiles = List.of(Path.of("/no/env"))));
        assertEquals("--annotation \"novalue\": expected KEY=VALUE", refused(o -> o.annotations = List.of("novalue")));
        assertEquals("--hook \"prestop=/bin/true\": unknown stage \"prestop\" (prestart, createRuntime, createContainer, startContainer, poststart, poststop)",
                refused(o -> o.hooks = List.of("prestop=/bin/true")));
        assertEquals("--hook \"poststart=true\": the program must be an absolute path", refused(o -> o.hooks = List.of("poststart=true")));
        assertEquals("--seccomp /no/profile.json: no such file (or use default, unconfined)", refused(o -> o.seccomp = "/no/profile.json"));
        assertEquals("--memory, --cpus, --cpuset-cpus and --pids-limit need cgroups, which a --rootless bundle does not configure", refused(o -> {
            o.rootless = true;
            o.memory = "1g";
        }));
        assertEquals("user \"app:\": the group part is empty (forms: name, uid, name:group, uid:gid)", refused(o -> o.user = "app:"));
    }

    @Test
    void sizes() {
        assertEquals(512L << 20, ConfigGenerator.parseBytes("512m", "x"));
        assertEquals(512L << 20, ConfigGenerator.parseBytes("512MB", "x"));
        assertEquals(3L << 29, ConfigGenerator.parseBytes("1.5g", "x"));
        assertEquals(1024, ConfigGenerator.parseBytes("1k", "x"));
        assertEquals(100, ConfigGenerator.parseBytes("100", "x"));
        assertEquals(1L << 40, ConfigGenerator.parseBytes("1TiB", "x"));
    }

    @Test
    void capabilitiesLikeDocker() {
        assertEquals(Capabilities.ALL, Capabilities.apply(Capabilities.CONTAINER_DEFAULT, List.of("ALL"), List.of()));
        assertEquals(List.of("CAP_KILL"), Capabilities.apply(Capabilities.CONTAINER_DEFAULT, List.of("kill"), List.of("all")));
        List<String> allButAdmin = Capabilities.apply(Capabilities.CONTAINER_DEFAULT, List.of("ALL"), List.of("SYS_ADMIN"));
        assertEquals(Capabilities.ALL.size() - 1, allButAdmin.size());
        assertFalse(allButAdmin.contains("CAP_SYS_ADMIN"));
    }

    @Test
    void privilegedGrantsWhatThisHostCan() throws Exception {
        List<String> grantable = Capabilities.grantable();
        assertTrue(Capabilities.ALL.containsAll(grantable));
        assertTrue(grantable.contains("CAP_KILL"), "a bounding set without CAP_KILL? " + grantable);
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh"));
        BundleOptions o = new BundleOptions();
        o.privileged = true;
        Path dir = tmp.resolve("b");
        Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, o);
        assertEquals(grantable, oci.bundle.spec.RuntimeSpec.read(dir.resolve("config.json")).process.capabilities.bounding);
    }

    // ---- the bundle as a whole: nothing half-written

    Store storeWith(TestImage image) {
        Store s = Store.open(tmp.resolve("store"));
        image.into(s, "example.com/t:1");
        return s;
    }

    @Test
    void dirNotEmptyRefusedUnlessForce() throws Exception {
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh"));
        Path dir = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertEquals("bundle directory " + dir + " is not empty (use --force to replace its rootfs and config.json)",
                assertThrows(BundleException.class, () -> Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, new BundleOptions())).getMessage());
        assertEquals(List.of("keep.txt"), list(dir));
        Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, true, new BundleOptions());
        assertEquals(List.of("config.json", "keep.txt", "rootfs"), list(dir));
        // again with --force: replaced, nothing left over
        BundleOptions o = new BundleOptions();
        o.args = List.of("echo", "again");
        Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, true, o);
        assertEquals(List.of("config.json", "keep.txt", "rootfs"), list(dir));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"again\""));
    }

    @Test
    void unknownUserLeavesNothing() throws Exception {
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh").config("User", "ghost"));
        Path dir = tmp.resolve("b");
        assertEquals("user \"ghost\": no user \"ghost\" in the image's /etc/passwd",
                assertThrows(BundleException.class, () -> Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, new BundleOptions())).getMessage());
        assertFalse(Files.exists(dir), "the bundle directory this run created is removed");
        // an existing empty directory stays, and stays empty
        Files.createDirectory(dir);
        assertThrows(BundleException.class, () -> Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, new BundleOptions()));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void emptyCommandIsAnErrorUnlessArgsGiven() throws Exception {
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()));
        Path dir = tmp.resolve("b");
        assertEquals("image example.com/t:1 has no Entrypoint or Cmd: give the command after --, e.g. `oci bundle IMAGE DIR -- sh`",
                assertThrows(BundleException.class, () -> Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, new BundleOptions())).getMessage());
        assertFalse(Files.exists(dir));
        BundleOptions o = new BundleOptions();
        o.args = List.of("sh");
        Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, o);
        assertTrue(Files.isRegularFile(dir.resolve("config.json")));
    }

    @Test
    void rootlessRefusesNonRootUser() throws Exception {
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh").config("User", "nobody"));
        BundleOptions o = new BundleOptions();
        o.rootless = true;
        assertEquals("user \"nobody\" (uid 65534, gid 65534): --rootless maps only uid 0 and gid 0 to you; use -u 0:0",
                assertThrows(BundleException.class, () -> Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), tmp.resolve("b"), false, o)).getMessage());
    }

    @Test
    void oddImageConfigsStillBundle() throws Exception {
        // Env entries without '=' name nothing (never this process's value); a relative WorkingDir is read from /
        Store s = storeWith(TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh").env("HOME_ONLY", "A=1", "PATH=/bin")
                .config("WorkingDir", "app"));
        Path dir = tmp.resolve("b");
        Bundler.fromImage(s, s.image("example.com/t:1", Platform.host()), dir, false, new BundleOptions());
        oci.bundle.spec.RuntimeSpec c = oci.bundle.spec.RuntimeSpec.read(dir.resolve("config.json"));
        assertEquals(List.of("A=1", "PATH=/bin", "HOME=/root"), c.process.env);
        assertEquals("/app", c.process.cwd);
    }

    static oci.bundle.spec.RuntimeSpec generate(String imageConfigJson, BundleOptions o, Path rootfs) {
        oci.image.ImageConfig img = oci.image.ImageConfig.parse(
                ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":" + imageConfigJson + "}").getBytes(), "test config");
        return ConfigGenerator.generate(img, "example.com/x:1", rootfs, o, new ConfigGenerator.Host(0, 0)).spec();
    }

    @Test
    void argsEntrypointAndCmd() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        String cfg = "{\"Entrypoint\":[\"/bin/tini\",\"--\"],\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"]}";
        assertEquals(List.of("/bin/tini", "--", "nginx", "-g", "daemon off;"), generate(cfg, new BundleOptions(), rootfs).process.args);
        BundleOptions args = new BundleOptions();
        args.args = List.of("sh");
        assertEquals(List.of("/bin/tini", "--", "sh"), generate(cfg, args, rootfs).process.args);
        // --entrypoint drops the image's Cmd too (as docker); ARGS still follow it
        BundleOptions ep = new BundleOptions();
        ep.entrypoint = "/bin/sh";
        assertEquals(List.of("/bin/sh"), generate(cfg, ep, rootfs).process.args);
        ep.args = List.of("-c", "true");
        assertEquals(List.of("/bin/sh", "-c", "true"), generate(cfg, ep, rootfs).process.args);
        BundleOptions cleared = new BundleOptions();
        cleared.entrypoint = "";
        cleared.args = List.of("date");
        assertEquals(List.of("date"), generate(cfg, cleared, rootfs).process.args);
        // no passwd in the rootfs: a numeric user still works, HOME falls back to /
        BundleOptions u = new BundleOptions();
        u.user = "1234:5678";
        oci.bundle.spec.RuntimeSpec s = generate(cfg, u, rootfs);
        assertEquals(1234, s.process.user.uid);
        assertEquals(5678, s.process.user.gid);
        assertTrue(s.process.env.contains("HOME=/"));
    }

    @Test
    void hostnameFromImageName() {
        assertEquals("busybox", ConfigGenerator.defaultHostname("docker.io/library/busybox:latest"));
        assertEquals("my-app", ConfigGenerator.defaultHostname("registry.example.com:5000/team/My_App@sha256:" + "a".repeat(64)));
        assertEquals("0123456789ab", ConfigGenerator.defaultHostname("sha256:0123456789abcdef" + "0".repeat(48)));
        assertEquals("oci", ConfigGenerator.defaultHostname(null));
    }

    static List<String> list(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
