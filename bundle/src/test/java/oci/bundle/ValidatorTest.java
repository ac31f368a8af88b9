package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static ObjectNode base() {
        return (ObjectNode) JSON.valueToTree(Defaults.runcSpec(false, 0, 0));
    }

    static List<String> problems(Consumer<ObjectNode> change) {
        ObjectNode c = base();
        change.accept(c);
        return Validator.validate(c).stream().map(Validator.Problem::toString).toList();
    }

    @Test
    void everyProblemWithItsPath() {
        assertEquals(List.of("$.mounts[3].destination: must be an absolute path (\"dev/shm\")"),
                problems(c -> ((ObjectNode) c.get("mounts").get(3)).put("destination", "dev/shm")));
        assertEquals(List.of("$.ociVersion: is required"), problems(c -> c.remove("ociVersion")));
        assertEquals(List.of("$.ociVersion: \"1.0\" is not a SemVer 2.0.0 version"), problems(c -> c.put("ociVersion", "1.0")));
        assertEquals(List.of("$.root: is required"), problems(c -> c.remove("root")));
        assertEquals(List.of("$.process.cwd: must be an absolute path (\"tmp\")"), problems(c -> ((ObjectNode) c.get("process")).put("cwd", "tmp")));
        assertEquals(List.of("$.process.args: must have at least one entry"), problems(c -> ((ObjectNode) c.get("process")).putArray("args")));
        assertEquals(List.of("$.process.user.uid: must be a non-negative integer"),
                problems(c -> ((ObjectNode) c.get("process").get("user")).put("uid", "root")));
        assertEquals(List.of("$.process.capabilities.bounding[1]: unknown capability \"CAP_KIL\""),
                problems(c -> ((ArrayNode) c.get("process").get("capabilities").get("bounding")).set(1, "CAP_KIL")));
        assertEquals(List.of("$.process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\""),
                problems(c -> ((ArrayNode) c.get("process").get("rlimits")).addObject().put("type", "RLIMIT_FOO").put("hard", 1).put("soft", 1)));
        assertEquals(List.of("$.process.rlimits[1].type: duplicate rlimit RLIMIT_NOFILE"),
                problems(c -> ((ArrayNode) c.get("process").get("rlimits")).addObject().put("type", "RLIMIT_NOFILE").put("hard", 1).put("soft", 1)));
        assertEquals(List.of("$.linux.namespaces[5].type: unknown namespace type \"net\" (known: cgroup, ipc, mount, network, pid, time, user, uts)"),
                problems(c -> ((ArrayNode) c.get("linux").get("namespaces")).addObject().put("type", "net")));
        assertEquals(List.of("$.linux.namespaces[5].type: duplicate namespace pid"),
                problems(c -> ((ArrayNode) c.get("linux").get("namespaces")).addObject().put("type", "pid")));
        assertEquals(List.of("$.linux.uidMappings: needs a user namespace in $.linux.namespaces"),
                problems(c -> ((ObjectNode) c.get("linux")).putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 1000).put("size", 1)));
        assertEquals(List.of("$.hooks.prestart[0].path: must be an absolute path (\"hook.sh\")"),
                problems(c -> c.putObject("hooks").putArray("prestart").addObject().put("path", "hook.sh")));
        assertEquals(List.of("$.hostname: needs a uts namespace in $.linux.namespaces (else it renames the host)"),
                problems(c -> ((ArrayNode) c.get("linux").get("namespaces")).remove(3)));
        assertEquals(List.of("$.linux.personality.domain: must be LINUX or LINUX32", "$.linux.timeOffsets: needs a time namespace in $.linux.namespaces"),
                problems(c -> {
                    ((ObjectNode) c.get("linux")).putObject("personality").put("domain", "BSD");
                    ((ObjectNode) c.get("linux")).putObject("timeOffsets").putObject("monotonic").put("secs", 10);
                }));
        assertEquals(List.of("$.linux.maskedPaths[0]: must be an absolute path (\"proc/kcore\")"),
                problems(c -> ((ArrayNode) c.get("linux").get("maskedPaths")).set(0, "proc/kcore")));
    }

    @Test
    void seccompRules() {
        List<String> p = problems(c -> {
            ObjectNode s = ((ObjectNode) c.get("linux")).putObject("seccomp");
            s.put("defaultAction", "SCMP_ACT_DENY");
            s.putArray("architectures").add("SCMP_ARCH_X86_64").add("x86_64");
            ObjectNode sc = s.putArray("syscalls").addObject();
            sc.putArray("names").add("read");
            sc.put("action", "SCMP_ACT_ALLOW");
            sc.putArray("args").addObject().put("index", 7).put("value", 1).put("op", "SCMP_CMP_EQUAL");
        });
        assertEquals(List.of(
                "$.linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\"",
                "$.linux.seccomp.architectures[1]: unknown architecture \"x86_64\"",
                "$.linux.seccomp.syscalls[0].args[0].index: must be at most 5",
                "$.linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\""), p);
    }

    @Test
    void manyProblemsAllReported() {
        List<String> p = problems(c -> {
            c.remove("ociVersion");
            ((ObjectNode) c.get("mounts").get(0)).put("destination", "proc");
            ((ObjectNode) c.get("process")).remove("cwd");
        });
        assertEquals(3, p.size(), p.toString());
    }

    @Test
    void defaultSeccompProfileIsValid() {
        ObjectNode c = base();
        ((ObjectNode) c.get("linux")).set("seccomp", JSON.valueToTree(SeccompProfiles.defaultProfile("amd64", Capabilities.CONTAINER_DEFAULT)));
        assertEquals(List.of(), Validator.validate(c));
    }

    @Test
    void bundleWithoutRootfsOrConfig() throws Exception {
        assertEquals("$: no config.json in " + tmp, Validator.validateBundle(tmp).getFirst().toString());
        Files.write(tmp.resolve("config.json"), ConfigFile.toBytes(Defaults.runcSpec(false, 0, 0)));
        assertEquals(List.of("$.root.path: directory " + tmp.resolve("rootfs") + " does not exist"),
                Validator.validateBundle(tmp).stream().map(Object::toString).toList());
        Files.createDirectory(tmp.resolve("rootfs"));
        assertEquals(List.of(), Validator.validateBundle(tmp));
        Files.writeString(tmp.resolve("config.json"), "{\"ociVersion\": ");
        assertTrue(Validator.validateBundle(tmp).getFirst().message().startsWith("not valid JSON"));
    }

    @Test
    void wrongTypesAreProblemsNotCrashes() {
        ObjectNode c = JSON.createObjectNode();
        c.put("ociVersion", 1);
        c.put("root", "rootfs");
        c.put("mounts", "none");
        c.putObject("process").put("args", "sh");
        List<String> p = Validator.validate(c).stream().map(Object::toString).toList();
        assertEquals(List.of("$.ociVersion: must be a string", "$.root: must be an object", "$.process.user: is required",
                "$.process.args: must be an array", "$.process.cwd: is required", "$.mounts: must be an array"), p);
        JsonNode notObject = JSON.getNodeFactory().arrayNode();
        assertEquals("$: must be an object", Validator.validate(notObject).getFirst().toString());
    }

    @Test
    void theStreamingReaderMakesTheTreeObjectMapperMakes() throws Exception {
        List<String> texts = List.of(new String(ConfigFile.toBytes(Defaults.runcSpec(false, 0, 0))),
                "{\"a\": 1, \"b\": 4294967296, \"c\": 123456789012345678901234567890, \"d\": -1.5e3, \"e\": [true, false, null, \"s\"],"
                        + " \"f\": {}, \"g\": [], \"a\": \"dup\"}",
                "[1, 2]", "\"text\"", "7", "null", "", "   ", "{} trailing", "{\"x\": 0.1}");
        for (String t : texts) {
            byte[] b = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            JsonNode expected = JSON.readTree(b);
            JsonNode streamed = Validator.readTree(b);
            assertEquals(expected, streamed, t);
            assertEquals(expected.getClass(), streamed.getClass(), t);
            assertEquals(expected.toString(), streamed.toString(), t);
        }
        for (String bad : List.of("{\"ociVersion\": ", "{\"a\" 1}", "[1,]", "{'a': 1}", "nul")) {
            byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String expected = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> JSON.readTree(b)).getMessage();
            String streamed = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Validator.readTree(b)).getMessage();
            assertEquals(expected.lines().findFirst().orElseThrow(), streamed.lines().findFirst().orElseThrow(), bad);
        }
    }
}
