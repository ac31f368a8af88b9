package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The launcher's start-up archive is made from {@link Training}; a step that stops working (a
 * renamed option, a command that now fails) would silently leave its classes out. Every step must
 * succeed, and the two error-path steps must fail.
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
}
