package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import oci.image.store.Store;
import oci.linux.ProcessCalls;
import oci.testdata.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bundles made by other tools run under `oci`, and the same bundle behaves the same under Debian's runc. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InteropTest {
    @TempDir
    Path tmp;

    @Test
    void umociUnpackBundleRuns() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/umoci")) && Files.isExecutable(TestImage.BUSYBOX),
                "needs Debian's umoci and busybox-static (installed by .ci/run)");
        Store store = Store.open(tmp.resolve("layout"));
        TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh", "-c", "echo from umoci; exit 4").into(store, "interop");
        Path bundle = tmp.resolve("bundle");
        Process u = new ProcessBuilder("umoci", "unpack", "--image", tmp.resolve("layout") + ":interop", bundle.toString())
                .redirectErrorStream(true).start();
        String out = new String(u.getInputStream().readAllBytes());
        assertEquals(0, u.waitFor(), out);
        Files.createDirectories(tmp.resolve("io"));
        Runner runner = new Runner(tmp.resolve("state"), tmp.resolve("io"));
        String id = runner.newId("umoci");
        // umoci's config asks for a terminal: attached, as `oci run` in the foreground does.
        Containers.Created c = runner.containers.create(id, bundle, runner.stdio(id), null, null, true);
        try {
            runner.containers.start(id);
            assertEquals(4, c.waitFor(), runner.err(id));
            assertEquals("from umoci\r\n", runner.out(id));
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void runcRunsTheSameBundleTheSameWay() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        TestBundle b = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")),
                "sh", "-c", "hostname; id -u; grep CapEff /proc/self/status; ls /proc/self/fd | wc -l; exit 5");
        Files.createDirectories(tmp.resolve("io"));
        Runner runner = new Runner(tmp.resolve("state"), tmp.resolve("io"));
        Runner.Result ours = runner.run(b);
        Process runc = new ProcessBuilder("runc", "--root", tmp.resolve("runc").toString(), "run", "-b", b.dir.toString(),
                "interop-" + ProcessHandle.current().pid()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String theirs = new String(runc.getInputStream().readAllBytes());
        assertEquals(5, runc.waitFor());
        assertEquals(5, ours.exit());
        assertEquals(theirs, ours.out());
    }
}
