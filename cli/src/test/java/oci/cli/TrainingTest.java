package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The launcher's start-up archive is made from {@link Training}; a step that stops working (a
 * renamed option, a command that now fails) would silently leave its classes out. Every step must
 * succeed, and the error-path steps must fail.
 */
class TrainingTest {
    @Test
    void everyTrainingStepRuns() throws Exception {
        List<String> failed = Training.run(false);
        assertEquals(List.of(), failed, "training steps that did not run as expected");
    }

    @Test
    void everyMetadataTrainingStepRuns() throws Exception {
        assertEquals(List.of(), Training.metadata(false), "metadata training steps that did not run as expected");
    }

    @Test
    void everyPullTrainingStepRuns() throws Exception {
        assertEquals(List.of(), Training.pull(false), "pull training steps that did not run as expected");
    }

    /** As root with busybox-static, every container step; elsewhere no training (and no archive) at all. */
    @Test
    void everyRuntimeTrainingStepRuns() throws Exception {
        List<String> failed = Training.runtime(false);
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/bin/busybox"))) {
            assertEquals(List.of(), failed, "runtime training steps that did not run as expected");
        } else {
            assertNull(failed, "a runtime training without containers");
        }
    }
}
