package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oci spec} is a drop-in for Debian's {@code runc spec}: the same JSON, field for field. */
class RuncSpecTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static boolean hasRunc() {
        return Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc"));
    }

    JsonNode runcSpec(boolean rootless) throws IOException, InterruptedException {
        Path dir = Files.createDirectory(tmp.resolve(rootless ? "rootless" : "plain"));
        List<String> cmd = new ArrayList<>(List.of("runc", "spec"));
        if (rootless) cmd.add("--rootless");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "runc spec failed: " + out);
        return JSON.readTree(dir.resolve("config.json").toFile());
    }

    static JsonNode withoutVersion(JsonNode n) {
        ObjectNode o = ((ObjectNode) n).deepCopy();
        o.remove("ociVersion");
        return o;
    }

    @Test
    void sameAsRuncSpec() throws Exception {
        assumeTrue(hasRunc(), "runc is not installed (apt-get install runc)");
        JsonNode ours = JSON.readTree(ConfigFile.toBytes(Defaults.runcSpec(false, 0, 0)));
        // ociVersion is the only intended difference: ours names the spec version the model follows
        assertEquals(withoutVersion(runcSpec(false)), withoutVersion(ours));
        assertEquals(RuntimeSpec.VERSION, ours.get("ociVersion").asText());
    }

    @Test
    void sameAsRuncSpecRootless() throws Exception {
        assumeTrue(hasRunc(), "runc is not installed (apt-get install runc)");
        ConfigGenerator.Host me = ConfigGenerator.Host.current();
        JsonNode ours = JSON.readTree(ConfigFile.toBytes(Defaults.runcSpec(true, me.uid(), me.gid())));
        assertEquals(withoutVersion(runcSpec(true)), withoutVersion(ours));
    }

    @Test
    void defaultsAreValid() {
        for (boolean rootless : new boolean[] {false, true}) {
            JsonNode n = JSON.valueToTree(Defaults.runcSpec(rootless, 1000, 1000));
            assertEquals(List.of(), Validator.validate(n));
        }
    }

    @Test
    void writtenWithTabsLikeRunc() {
        String s = new String(ConfigFile.toBytes(Defaults.runcSpec(false, 0, 0)));
        assertTrue(s.startsWith("{\n\t\"ociVersion\": \""), s.substring(0, 40));
    }
}
