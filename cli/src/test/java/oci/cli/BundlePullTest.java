package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.Manifest;
import oci.image.store.Store;
import oci.testdata.Mounts;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import oci.testdata.registry.FaultProxy;
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
 * by {@code oci rmbundle}. Nothing is trusted early: a corrupt layer, a diff_id the layer does not
 * have, a connection cut mid-layer that cannot resume, and Ctrl-C while a layer streams each leave no
 * bundle, no mount, no snapshot scratch and no unverified blob. The cut and the stall that Ctrl-C
 * interrupts come from a FAKE network path ({@link FaultProxy}, in front of the real registry): a
 * real registry cannot break a connection mid-blob on demand.
 */
class BundlePullTest {
    @TempDir
    static Path dir;

    static RegistryServer registry;
    static String ref, corruptRef, lyingRef;
    /** An image of 3 layers, the first two of a few MiB (so a fault lands mid-layer), in the real registry. */
    static String bigPath;
    static Digest bigLayer1, bigLayer2, lyingLayer2Chain;

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

        Random random = new Random(14);
        Tar first = Tar.build().dir("a");
        for (int i = 0; i < 200; i++) first.file("a/f" + i, ("small file " + i + "\n").repeat(20));
        byte[] noise1 = new byte[3 << 20], noise2 = new byte[2 << 20];
        random.nextBytes(noise1);
        random.nextBytes(noise2);
        Descriptor big = TestImage.create().layer(first.file("a/zz-big", noise1, 0644).bytes())
                .layer(Tar.build().file("second", noise2, 0644).bytes())
                .layer(Tar.build().file("third", "3\n").bytes()).cmd("true").into(s, "big");
        Manifest bm = Manifest.parse(s.readBlob(big.digest()), "manifest");
        bigLayer1 = bm.layers().get(0).digest();
        bigLayer2 = bm.layers().get(1).digest();
        bigPath = "/pipe/big:1";
        Skopeo.copy("oci:" + layout + ":big", "docker://" + registry.hostPort() + bigPath, "--dest-tls-verify=false");

        byte[] one = Tar.build().file("one", "1\n").bytes(), two = Tar.build().file("two", "2\n").bytes();
        TestImage.create().layer(one).layer(two).diffId(1, Digest.sha256("not the layer".getBytes())).cmd("true").into(s, "lying");
        lyingLayer2Chain = oci.unpack.Snapshots.chainIds(List.of(Digest.sha256(one), Digest.sha256("not the layer".getBytes()))).get(1);
        lyingRef = registry.hostPort() + "/pipe/lying:1";
        Skopeo.copy("oci:" + layout + ":lying", "docker://" + lyingRef, "--dest-tls-verify=false");
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

    /** `oci ...` in a JVM of its own, as typed at a shell: its exit, Ctrl-C. */
    Process ociChild(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "oci.cli.Main", "--store", tmp.resolve("store").toString(), "--root", tmp.resolve("state").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(tmp.resolve("child.out").toFile()).redirectError(tmp.resolve("child.err").toFile()).start();
    }

    Result finish(Process p) throws Exception {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "oci did not end");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("child.out")), Files.readString(tmp.resolve("child.err")));
    }

    /** What a failed bundle may leave: no bundle, no mount, no snapshot scratch, no named image, and only blobs that hash to their names. */
    void assertNothingUnverifiedLeft(Path bundle) throws Exception {
        assertFalse(Files.exists(bundle), "a bundle was left: " + bundle);
        assertEquals(List.of(), Mounts.under(tmp));
        Path scratch = tmp.resolve("store/.snapshots/.tmp");
        if (Files.isDirectory(scratch)) {
            try (Stream<Path> left = Files.list(scratch)) {
                assertEquals(List.of(), left.toList(), "snapshot scratch left");
            }
        }
        Store s = Store.open(tmp.resolve("store"));
        assertTrue(s.entries().isEmpty(), "an image was named: " + s.entries());
        Path blobs = tmp.resolve("store/blobs/sha256");
        if (Files.isDirectory(blobs)) {
            try (Stream<Path> all = Files.list(blobs)) {
                for (Path p : all.toList()) assertEquals(p.getFileName().toString(), Digest.sha256(Files.readAllBytes(p)).encoded());
            }
        }
    }

    @Test
    void aConnectionCutMidLayerThatCannotResumeLeavesNothingUnverified() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
            proxy.fault(bigLayer2.toString(), FaultProxy.Fault.CUT, 1 << 20);
            Path b = tmp.resolve("b");
            Result r = finish(ociChild("bundle", proxy.hostPort() + bigPath, b.toString()));
            assertEquals(1, r.code(), r.err());
            String last = r.err().strip().lines().reduce((x, y) -> y).orElse("");
            assertTrue(last.startsWith("oci: ") && last.contains(bigLayer2.toString()), r.err());
            assertTrue(proxy.faults() >= 2, "the pull resumed and was cut again: " + proxy.faults());
            assertNothingUnverifiedLeft(b);
            assertFalse(Store.open(tmp.resolve("store")).hasBlob(bigLayer2));

            // the partial download stays for a later run, which completes the layer
            proxy.fault("none", FaultProxy.Fault.CUT, 0);
            Result again = oci("bundle", proxy.hostPort() + bigPath, b.toString());
            assertEquals(0, again.code(), again.err());
            assertEquals(2 << 20, Files.size(b.resolve("rootfs/second")));
        }
    }

    @Test
    void ctrlCWhileALayerStreamsLeavesNothingUnverified() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(registry.hostPort())) {
            // the first layer's bytes stop after its small files: the unpack is in that layer, waiting for more
            proxy.fault(bigLayer1.toString(), FaultProxy.Fault.HOLD, 1 << 20);
            Path b = tmp.resolve("b");
            Process p = ociChild("bundle", proxy.hostPort() + bigPath, b.toString());
            assertTrue(proxy.awaitFault(Duration.ofSeconds(60)), "the layer never started to download");
            Path scratch = tmp.resolve("store/.snapshots/.tmp");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!waitingForBytes(scratch) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(waitingForBytes(scratch), "the unpack never got to the held bytes: " + Files.readString(tmp.resolve("child.err")));
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            Result r = finish(p);
            assertNotEquals(0, r.code(), r.err());
            assertNothingUnverifiedLeft(b);
            assertFalse(Store.open(tmp.resolve("store")).hasBlob(bigLayer1));
        }
    }

    /**
     * The snapshot of the first layer being made has its small files and the start of the big one,
     * which stopped growing: the unpack waits for bytes the proxy holds (it checks for Ctrl-C only
     * between entries, so a signal earlier would not test the wait).
     */
    private static boolean waitingForBytes(Path scratch) throws Exception {
        if (!Files.isDirectory(scratch)) return false;
        Path big;
        try (Stream<Path> s = Files.list(scratch)) {
            big = s.map(d -> d.resolve("upper/a/zz-big")).filter(Files::exists).findFirst().orElse(null);
        }
        if (big == null) return false;
        long size = Files.size(big);
        Thread.sleep(300);
        return size > 0 && Files.size(big) == size;
    }

    @Test
    void aDiffIdTheLayerDoesNotHaveLeavesNoBundleAndNoSnapshotOfIt() throws Exception {
        Path b = tmp.resolve("b");
        Result r = finish(ociChild("bundle", lyingRef, b.toString()));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("diff_id"), r.err());
        assertFalse(Files.exists(b));
        assertEquals(List.of(), Mounts.under(tmp));
        assertFalse(Files.exists(tmp.resolve("store/.snapshots/sha256/" + lyingLayer2Chain.encoded())), "a snapshot of the lying layer");
        try (Stream<Path> left = Files.list(tmp.resolve("store/.snapshots/.tmp"))) {
            assertEquals(List.of(), left.toList(), "snapshot scratch left");
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
