package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.unpack.UnpackOptions;
import oci.unpack.Unpacker;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For test images with each config feature, the config.json {@code oci bundle} writes equals a
 * reviewed file in src/test/resources/golden/. Only what varies between runs is normalised: temp
 * paths become {@code <TMP>}, the invoking uid/gid of a rootless bundle {@code <UID>}/{@code <GID>},
 * and a seccomp section equal to the default profile for its capabilities becomes
 * {@code "<default profile>"} (golden/busybox-default.json shows it in full).
 * Run with {@code -Doci.golden.update=true} to rewrite the files, then review the diff.
 */
class GoldenTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final boolean UPDATE = Boolean.getBoolean("oci.golden.update");

    @TempDir
    Path tmp;
    Store store;

    @BeforeEach
    void store() {
        store = Store.open(tmp.resolve("store"));
    }

    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n";
    static final String GROUP = "root:x:0:\napp:x:1000:\nwheel:x:10:app\naudio:x:29:app\n";

    Path bundle(TestImage image, BundleOptions o) throws IOException {
        image.into(store, "example.com/test/app:1");
        Path dir = tmp.resolve("bundle");
        StoredImage img = store.image("example.com/test/app:1", Platform.host());
        // as Bundler.fromImage, but with a host that can grant every capability, so --privileged is the same everywhere
        ConfigGenerator.Host me = ConfigGenerator.Host.current();
        Bundler.create(dir, false, t -> Unpacker.unpack(store, img, t, UnpackOptions.defaults().withRootless(o.rootless)),
                img.config(), img.name(), o, new ConfigGenerator.Host(me.uid(), me.gid(), Capabilities.ALL));
        return dir;
    }

    void golden(String name, Path bundle) throws IOException {
        String got = normalise(Files.readString(bundle.resolve("config.json")));
        Path file = Path.of("src/test/resources/golden", name + ".json");
        if (UPDATE) {
            Files.writeString(file, got);
            return;
        }
        String want;
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            assertTrue(in != null, "no golden file " + file + " (run with -Doci.golden.update=true and review it)");
            want = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(want, got, "config.json differs from " + file);
        assertEquals(List.of(), Validator.validateBundle(bundle), "the bundle is not valid");
    }

    String normalise(String json) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(json);
        JsonNode sc = c.path("linux").path("seccomp");
        if (!sc.isMissingNode()) {
            List<String> caps = new ArrayList<>();
            c.path("process").path("capabilities").path("bounding").forEach(n -> caps.add(n.asText()));
            String arch = c.path("annotations").path("org.opencontainers.image.architecture").asText("amd64");
            if (sc.equals(JSON.readTree(JSON.writeValueAsBytes(SeccompProfiles.defaultProfile(arch, caps)))) && !normaliseSeccompOff) {
                ((ObjectNode) c.get("linux")).put("seccomp", "<default profile>");
            }
        }
        ConfigGenerator.Host me = ConfigGenerator.Host.current();
        for (String f : List.of("uidMappings", "gidMappings")) {
            JsonNode m = c.path("linux").path(f);
            if (m.isArray()) for (JsonNode e : m) ((ObjectNode) e).put("hostID", f.startsWith("uid") ? "<UID>" : "<GID>");
        }
        String out = new String(ConfigFile.toBytes(c), StandardCharsets.UTF_8);
        return out.replace(tmp.toString(), "<TMP>") + "\n";
    }

    boolean normaliseSeccompOff;

    static TestImage busybox() {
        return TestImage.create().layer(TestImage.busyboxLayer());
    }

    @Test
    void busyboxDefault() throws IOException {
        normaliseSeccompOff = true;
        golden("busybox-default", bundle(busybox().cmd("sh"), new BundleOptions()));
    }

    @Test
    void entrypointCmdEnvWorkdir() throws IOException {
        Path envFile = Files.writeString(tmp.resolve("env"), "# comment\nFROM_FILE=1\n\nGREETING=from file\n");
        BundleOptions o = new BundleOptions();
        o.args = List.of("bye", "now");
        o.env = List.of("GREETING=hello", "EXTRA=x");
        o.envFiles = List.of(envFile);
        o.workdir = "/tmp/../srv";
        golden("entrypoint-args-env", bundle(busybox().entrypoint("/bin/echo", "-n").cmd("hello")
                .env("PATH=/opt/bin:/bin", "GREETING=image", "LANG=C.UTF-8").config("WorkingDir", "/app"), o));
    }

    @Test
    void imageUserByName() throws IOException {
        golden("user-name", bundle(TestImage.create().layer(Tar.build().dir("etc").file("etc/passwd", PASSWD)
                .file("etc/group", GROUP).dir("home").dir("home/app").bytes()).cmd("id").config("User", "app"), new BundleOptions()));
    }

    @Test
    void userOptionOverridesImage() throws IOException {
        BundleOptions o = new BundleOptions();
        o.user = "1000:wheel";
        golden("user-option", bundle(TestImage.create().layer(Tar.build().dir("etc").file("etc/passwd", PASSWD)
                .file("etc/group", GROUP).bytes()).cmd("id").config("User", "root"), o));
    }

    @Test
    void volumesPortsLabelsAnnotations() throws IOException {
        BundleOptions o = new BundleOptions();
        o.annotations = List.of("com.example.team=storage", "org.opencontainers.image.stopSignal=SIGINT");
        Path dir = bundle(busybox().cmd("sh")
                .layer(Tar.build().dir("data", 0750).file("data/seed.txt", "seed").bytes())
                .config("Volumes", Map.of("/data", Map.of(), "/var/log", Map.of()))
                .config("ExposedPorts", Map.of("80/tcp", Map.of(), "53/udp", Map.of()))
                .config("Labels", Map.of("org.opencontainers.image.created", "2030-01-01T00:00:00Z", "maintainer", "me"))
                .config("StopSignal", "SIGTERM"), o);
        golden("volumes-annotations", dir);
        // anonymous volumes live in the bundle, seeded with what the image has there
        assertEquals("seed", Files.readString(dir.resolve("volumes/0/seed.txt")));
        assertEquals("rwxr-x---", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("volumes/0"))));
        assertTrue(Files.isDirectory(dir.resolve("volumes/1")));
    }

    @Test
    void mountsReadOnlyHostname() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("host-data"));
        BundleOptions o = new BundleOptions();
        o.volumes = List.of(src + ":/mnt/data:ro", src + ":/data");
        o.mounts = List.of("type=tmpfs,dst=/cache,tmpfs-size=64m,tmpfs-mode=1777", "type=bind,src=" + src + ",target=/srv,readonly");
        o.tmpfs = List.of("/run:exec,size=1m", "/dev/shm:size=128m");
        o.readOnly = true;
        o.hostname = "web-1";
        // the image's /data volume is replaced by the -v mount at the same place
        golden("mounts", bundle(busybox().cmd("sh").config("Volumes", Map.of("/data", Map.of())), o));
    }

    @Test
    void resourcesCapabilitiesNamespacesHooks() throws IOException {
        BundleOptions o = new BundleOptions();
        o.memory = "512m";
        o.cpus = "1.5";
        o.pidsLimit = 100L;
        o.cpusetCpus = "0-1";
        o.capAdd = List.of("sys_admin", "CAP_NET_ADMIN");
        o.capDrop = List.of("NET_RAW", "mknod");
        o.net = "none";
        o.pid = "host";
        o.ipc = "host";
        o.tty = true;
        o.hooks = List.of("prestart=/usr/bin/logger -t oci", "poststop=/bin/true");
        golden("resources-caps-ns-hooks", bundle(busybox().cmd("sh"), o));
    }

    @Test
    void netNamespacePathAndCapDropAll() throws IOException {
        BundleOptions o = new BundleOptions();
        o.net = "ns:/var/run/netns/blue";
        o.uts = "host";
        o.capDrop = List.of("ALL");
        o.capAdd = List.of("NET_BIND_SERVICE");
        o.seccomp = "unconfined";
        golden("netns-capdrop-all", bundle(busybox().cmd("sh"), o));
    }

    @Test
    void rootless() throws IOException {
        BundleOptions o = new BundleOptions();
        o.rootless = true;
        golden("rootless", bundle(busybox().cmd("sh"), o));
    }

    @Test
    void privileged() throws IOException {
        BundleOptions o = new BundleOptions();
        o.privileged = true;
        golden("privileged", bundle(busybox().cmd("sh"), o));
    }

    @Test
    void seccompFromDockerStyleFile() throws IOException {
        Path profile = Files.writeString(tmp.resolve("profile.json"), """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
                 "syscalls": [
                   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                   {"names": ["chroot"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_CHROOT"]}},
                   {"names": ["reboot"], "action": "SCMP_ACT_KILL", "includes": {"arches": ["arm64"]}}
                 ]}
                """);
        BundleOptions o = new BundleOptions();
        o.seccomp = profile.toString();
        golden("seccomp-file", bundle(busybox().cmd("sh"), o));
    }

    @Test
    void noImageConfigRootfsTarball() throws IOException {
        Path tar = tmp.resolve("export.tar");
        Files.write(tar, TestImage.busyboxLayer());
        BundleOptions o = new BundleOptions();
        o.args = List.of("sh", "-c", "echo hi");
        Path dir = tmp.resolve("bundle");
        Bundler.fromRootfsTar(tar, dir, false, o);
        golden("rootfs-tar", dir);
        assertTrue(Files.isRegularFile(dir.resolve("rootfs/bin/busybox")));
    }

}
