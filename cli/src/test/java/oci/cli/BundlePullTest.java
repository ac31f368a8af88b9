package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Manifest;
import oci.image.store.Store;
import oci.testdata.Mounts;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import oci.testdata.registry.RegistryServer;
import oci.testdata.registry.Skopeo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci bundle REGISTRY/IMAGE DIR} against a real docker-registry on loopback: pulled while it
 * unpacks, the second bundle from the store's snapshots (an overlay mount), run under runc, removed
 * by {@code oci rmbundle}; a corrupt layer leaves no bundle, no blob and no mount.
 */
class BundlePullTest {
    @TempDir
    static Path dir;

    static RegistryServer registry;
    static String ref, corruptRef;

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(BundleCliTest.root(), "overlay mounts and runc need root (CI runs as root)");
        registry = RegistryServer.builder(dir.resolve("registry")).start();
        Path layout = dir.resolve("layout");
        Store s = Store.open(layout);
        TestImage.create().layer(TestImage.busyboxLayer())
                .layer(Tar.build().dir("etc").file("etc/motd", "layer two\n").file("etc/gone", "x").bytes())
                .layer(Tar.build().whiteout("etc/gone").file("etc/three", "3\n").bytes())
                .cmd("sh", "-c", "cat /etc/motd /etc/three; ls /etc/gone 2>/dev/null || echo no-gone").into(s, "img");
        ref = registry.hostPort() + "/pipe/app:1";
        Skopeo.copy("oci:" + layout + ":img", "docker://" + ref, "--dest-tls-verify=false");
        Descriptor bad = TestImage.create().layer(Tar.build().file("a", "a".repeat(5000)).bytes())
                .layer(Tar.build().file("b", "b".repeat(5000)).bytes()).cmd("true").into(s, "bad");
        corruptRef = registry.hostPort() + "/pipe/bad:1";
        Skopeo.copy("oci:" + layout + ":bad", "docker://" + corruptRef, "--dest-tls-verify=false");
        // the registry serves its stored bytes as they are: flip one of the second layer's
        Manifest m = Manifest.parse(s.readBlob(bad.digest()), "manifest");
        String hex = m.layers().get(1).digest().encoded();
        Path data;
        try (Stream<Path> found = Files.walk(dir.resolve("registry"))) {
            data = found.filter(p -> p.toString().endsWith("/" + hex + "/data")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(data);
        b[b.length / 2] ^= 1;
        Files.write(data, b);
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
    }

    @BeforeEach
    void rootOnly() {
        assumeTrue(BundleCliTest.root(), "overlay mounts and runc need root (CI runs as root)");
    }

    @AfterEach
    void unmount() throws Exception {
        Mounts.unmountAllUnder(tmp);
    }

    Result oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--store", tmp.resolve("store").toString(), "--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void pullsWhileUnpackingThenReusesTheSnapshotsAndRunsUnderRunc() throws Exception {
        Path first = tmp.resolve("first");
        Result r = oci("bundle", "--authfile", tmp.resolve("auth.json").toString(), ref, first.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(first + "\n", r.out());
        assertTrue(r.err().contains(": unpacking (layer 3 of 3)"), r.err()); // progress: download and unpack together
        assertTrue(r.err().contains(": pulled "), r.err());
        assertTrue(Mounts.under(tmp).contains(first.resolve("rootfs")), "rootfs is an overlay mount");
        assertEquals("layer two\n", Files.readString(first.resolve("rootfs/etc/motd")));
        assertFalse(Files.exists(first.resolve("rootfs/etc/gone")));

        // the image is in the store now: the next bundle unpacks nothing
        Path second = tmp.resolve("second");
        Result again = oci("bundle", "--pull", "never", ref, second.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals("", again.err());
        Files.writeString(second.resolve("rootfs/etc/motd"), "changed in second\n");
        assertEquals("layer two\n", Files.readString(first.resolve("rootfs/etc/motd")));

        Path runcRoot = Files.createDirectory(tmp.resolve("runc-root"));
        String id = "oci-bundle-pull-" + ProcessHandle.current().pid();
        try {
            BundleCliTest.Result run = BundleCliTest.exec(first, "runc", "--root", runcRoot.toString(), "run", "-b", first.toString(), id);
            assertEquals(0, run.code(), run.err());
            assertEquals("layer two\n3\nno-gone\n", run.out());
        } finally {
            BundleCliTest.exec(first, "runc", "--root", runcRoot.toString(), "delete", "--force", id);
        }

        // --force over a mounted bundle, then a clean removal
        Result forced = oci("bundle", "--force", ref, second.toString());
        assertEquals(0, forced.code(), forced.err());
        assertEquals("layer two\n", Files.readString(second.resolve("rootfs/etc/motd")));
        assertEquals(0, oci("rmbundle", first.toString(), second.toString()).code());
        assertFalse(Files.exists(first));
        assertFalse(Files.exists(second));
        assertEquals(List.of(), Mounts.under(tmp));
        Result notABundle = oci("rmbundle", Files.createDirectories(tmp.resolve("plain")).toString());
        assertEquals(1, notABundle.code());
        assertTrue(notABundle.err().startsWith("oci: remove bundle "), notABundle.err());

        // no image, no mount: gc takes the snapshots
        assertEquals(0, oci("rmi", ref).code());
        Result gc = oci("gc");
        assertEquals(0, gc.code(), gc.err());
        assertTrue(gc.out().contains("Deleted snapshot: "), gc.out());
        try (Stream<Path> s = Files.list(tmp.resolve("store/.snapshots/sha256"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void aCorruptLayerLeavesNoBundleNoBlobNoMount() throws Exception {
        Path b = tmp.resolve("b");
        Result r = oci("bundle", corruptRef, b.toString(), "--", "true");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("digest"), r.err());
        assertFalse(Files.exists(b));
        assertEquals(List.of(), Mounts.under(tmp));
        Store s = Store.open(tmp.resolve("store"));
        assertTrue(s.entries().isEmpty());
        try (Stream<Path> blobs = Files.list(tmp.resolve("store/blobs/sha256"))) {
            for (Path p : blobs.toList()) {
                // what is there (the config, the good layer) hashes to its name
                assertEquals(p.getFileName().toString(), oci.image.Digest.sha256(Files.readAllBytes(p)).encoded());
            }
        }
    }

    @Test
    void pullNeverRefusesAnImageTheStoreLacks() {
        Result r = oci("bundle", "--pull", "never", ref, tmp.resolve("b").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not in the store"), r.err());
        Result bad = oci("bundle", "--pull", "sometimes", ref, tmp.resolve("b").toString());
        assertEquals(2, bad.code());
    }
}
