package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import oci.bundle.SeccompProfiles;
import oci.bundle.spec.Extensible;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SpecBinder} binds every config.json as the reflective binder it replaced did
 * ({@link ReflectiveBinder}): the same objects field by field (value classes included, unknown
 * fields kept as parsed), or the same message. Valid files also read the same as databind does.
 */
class SpecBinderTest {
    // ---------------------------------------------------------------- real files

    static Stream<Path> files() throws IOException {
        Path golden = Path.of("../bundle/src/test/resources/golden");
        return Files.list(golden).filter(p -> p.toString().endsWith(".json")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void goldenConfigsBindAsBefore(Path file) throws IOException {
        // The golden files' placeholders filled in: the default seccomp profile (rules with args), ids.
        String profile = RuntimeSpec.mapper().writeValueAsString(
                SeccompProfiles.defaultProfile("amd64", List.of("CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE")));
        String json = Files.readString(file).replace("\"<default profile>\"", profile).replace("\"<UID>\"", "1000").replace("\"<GID>\"", "1000");
        assertSameAsReference(file.getFileName().toString(), json);
        assertSameAsDatabind(json);
    }

    @Test
    void theDefaultSeccompProfileBindsAsBefore() throws IOException {
        String profile = RuntimeSpec.mapper().writeValueAsString(SeccompProfiles.defaultProfile("amd64", List.of()));
        String json = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":" + profile + "}}";
        assertSameAsReference("seccomp-default", json);
        assertSameAsDatabind(json);
        RuntimeSpec spec = SpecBinder.spec(Json.parse(json, "t"));
        assertTrue(spec.linux.seccomp.syscalls.stream().anyMatch(s -> s.args != null && !s.args.isEmpty()), "a rule with args");
    }

    @ParameterizedTest(name = "runc spec {0}")
    @MethodSource("runcSpecOptions")
    void runcSpecOutputBindsAsBefore(String options, @TempDir Path dir) throws Exception {
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "runc"))), "runc is not installed");
        List<String> cmd = new ArrayList<>(List.of("runc", "spec"));
        if (!options.isEmpty()) cmd.add(options);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        String json = Files.readString(dir.resolve("config.json"));
        assertSameAsReference("runc spec " + options, json);
        assertSameAsDatabind(json);
    }

    static Stream<String> runcSpecOptions() {
        return Stream.of("", "--rootless");
    }

    @Test
    void hugeNumbersKeepTheirBitsOrAreRefusedAsBefore() {
        String json = "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024}]},"
                + "\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808,\"swap\":18446744073709551615},"
                + "\"pids\":{\"limit\":-1}}}}";
        assertSameAsReference("huge", json);
        RuntimeSpec spec = SpecBinder.spec(Json.parse(json, "t"));
        assertEquals(-1L, spec.process.rlimits.get(0).hard);
        assertEquals(Long.MIN_VALUE, spec.linux.resources.memory.limit);
        assertEquals("config.json process.oomScoreAdj: 4294967296 is out of range",
                message(() -> SpecBinder.spec(Json.parse("{\"process\":{\"oomScoreAdj\":4294967296}}", "t"))));
    }

    @Test
    void duplicateNamesAndOddRootsBindAsBefore() {
        for (String json : List.of("{\"hostname\":\"a\",\"hostname\":\"b\"}", "{\"process\":{\"args\":1},\"process\":null}",
                "{\"process\":null,\"process\":{\"args\":[\"x\"]}}", "[]", "null", "1", "\"x\"", "{}")) {
            assertSameAsReference(json, json);
        }
    }

    // ---------------------------------------------------------------- every field, every kind of value

    /** JSON text put in place of one value of the full sample: right and wrong types, nulls, edges of each number type. */
    private static final List<String> VALUES = List.of("null", "\"x\"", "\"\"", "7", "0", "-1", "2147483647", "2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "-9223372036854775809",
            "123456789012345678901234567890", "1.5", "-0.0", "1e400", "true", "false", "{}", "[]", "[null]", "[1,\"a\"]",
            "[{}]", "[[]]", "{\"a\":null}", "{\"a\":{\"b\":[1,2.5,null]}}");

    private static final String HOLE = "@@hole@@";

    @Test
    void everyFieldWithEveryKindOfValueBindsAsBefore() {
        Map<String, Object> full = sample(RuntimeSpec.class);
        String fullJson = Json.write(full);
        assertSameAsReference("full sample", fullJson);
        assertSameAsDatabind(fullJson);
        List<List<Object>> paths = new ArrayList<>();
        paths(full, new ArrayList<>(), paths);
        assertTrue(paths.size() > 200, "paths: " + paths.size());
        int cases = 0;
        for (List<Object> path : paths) {
            String text = Json.write(replaced(full, path, 0)).replace("\"" + HOLE + "\"", "%s");
            for (String value : VALUES) {
                String json = text.formatted(value);
                assertSameAsReference(path + " = " + value, json);
                cases++;
            }
        }
        assertTrue(cases > 5000, "cases: " + cases);
    }

    @Test
    void theProcessFileAndTheResourcesOfAnUpdateBindAsBefore() {
        for (Object process : List.of(sample(RuntimeSpec.Process.class), Map.of("args", "sh"), List.of(), Map.of("user", Map.of("uid", "0")))) {
            String json = Json.write(process);
            assertSameResult(json, () -> SpecBinder.process(Json.parse(json, "p"), "process"),
                    () -> ReflectiveBinder.bind(Json.parse(json, "p"), RuntimeSpec.Process.class, "process"));
        }
        for (Object resources : List.of(sample(RuntimeSpec.Resources.class), Map.of("memory", 5), Map.of("cpu", Map.of("shares", 1.5)))) {
            String json = Json.write(resources);
            assertSameResult(json, () -> SpecBinder.resources(Json.parse(json, "r"), "linux.resources"),
                    () -> ReflectiveBinder.bind(Json.parse(json, "r"), RuntimeSpec.Resources.class, "linux.resources"));
        }
    }

    /** A value for every public field of {@code c}, nested classes filled in turn, and an unknown field; lists and maps hold a null too. */
    private static Map<String, Object> sample(Class<?> c) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            var jp = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            m.put(jp != null && !jp.value().isEmpty() ? jp.value() : f.getName(), sample(f.getGenericType()));
        }
        m.put("x-unknown", Map.of("n", List.of(1, "two")));
        return m;
    }

    private static Object sample(Type t) {
        if (t instanceof ParameterizedType pt) {
            Type[] args = pt.getActualTypeArguments();
            if (List.class.isAssignableFrom((Class<?>) pt.getRawType())) {
                List<Object> l = new ArrayList<>();
                l.add(sample(args[0]));
                l.add(null);
                return l;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("k1", sample(args[1]));
            m.put("k2", null);
            return m;
        }
        Class<?> c = (Class<?>) t;
        if (c == String.class) return "s";
        if (c == Boolean.class || c == boolean.class) return true;
        if (c == Long.class || c == long.class) return 42L;
        if (c == Integer.class || c == int.class) return 3L;
        if (c == Object.class) return Map.of("free", List.of(1, 2));
        if (Extensible.class.isAssignableFrom(c)) return sample(c);
        throw new IllegalStateException("no sample for " + t);
    }

    private static void paths(Object tree, List<Object> at, List<List<Object>> out) {
        if (tree instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                List<Object> p = new ArrayList<>(at);
                p.add(k);
                out.add(p);
                paths(m.get(k), p, out);
            }
        } else if (tree instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                List<Object> p = new ArrayList<>(at);
                p.add(i);
                out.add(p);
                paths(l.get(i), p, out);
            }
        }
    }

    /** A copy of {@code tree} with the value at {@code path} replaced by the hole's marker. */
    private static Object replaced(Object tree, List<Object> path, int depth) {
        if (depth == path.size()) return HOLE;
        Object key = path.get(depth);
        if (tree instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>(m);
            copy.put(key, replaced(m.get(key), path, depth + 1));
            return copy;
        }
        List<Object> copy = new ArrayList<>((List<?>) tree);
        copy.set((Integer) key, replaced(copy.get((Integer) key), path, depth + 1));
        return copy;
    }

    // ---------------------------------------------------------------- comparing

    private static void assertSameAsReference(String name, String json) {
        assertSameResult(name, () -> SpecBinder.spec(Json.parse(json, "t")), () -> ReflectiveBinder.bind(Json.parse(json, "t"), RuntimeSpec.class, ""));
    }

    private static void assertSameResult(String name, java.util.function.Supplier<Object> binder, java.util.function.Supplier<Object> reference) {
        Object want, got;
        try {
            want = reference.get();
        } catch (ContainerException e) {
            String message = message(binder::get);
            if (!e.getMessage().equals(message)) assertEquals(e.getMessage(), message, name);
            return;
        }
        got = binder.get();
        assertDeepEquals(want, got, name + ": ");
    }

    private static String message(Runnable r) {
        try {
            r.run();
            return "(no error)";
        } catch (ContainerException e) {
            return e.getMessage();
        }
    }

    private static void assertDeepEquals(Object want, Object got, String name) {
        String difference = difference(want, got);
        if (difference != null) throw new AssertionError(name + difference);
    }

    /** Where the two differ (null: nowhere), field by field, with the value classes (Long, not Integer; BigInteger kept in unknown fields). */
    private static String difference(Object want, Object got) {
        if (want == null || got == null) return want == got ? null : ": " + want + " != " + got;
        if (want.getClass() != got.getClass()) return ": " + want.getClass() + " != " + got.getClass();
        if (want instanceof Extensible w) {
            for (Field f : want.getClass().getFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                try {
                    String d = difference(f.get(want), f.get(got));
                    if (d != null) return "." + f.getName() + d;
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
            String d = difference(w.unknownFields(), ((Extensible) got).unknownFields());
            return d == null ? null : "{unknown}" + d;
        }
        if (want instanceof Map<?, ?> w) {
            Map<?, ?> g = (Map<?, ?>) got;
            if (!new ArrayList<>(w.keySet()).equals(new ArrayList<>(g.keySet()))) return ": keys " + w.keySet() + " != " + g.keySet();
            for (Object k : w.keySet()) {
                String d = difference(w.get(k), g.get(k));
                if (d != null) return "." + k + d;
            }
            return null;
        }
        if (want instanceof List<?> w) {
            List<?> g = (List<?>) got;
            if (w.size() != g.size()) return ": size " + w.size() + " != " + g.size();
            for (int i = 0; i < w.size(); i++) {
                String d = difference(w.get(i), g.get(i));
                if (d != null) return "[" + i + "]" + d;
            }
            return null;
        }
        return want.equals(got) ? null : ": " + want + " != " + got;
    }

    /** What databind reads, written back by databind, is what it writes of ours. */
    private static void assertSameAsDatabind(String json) {
        try {
            var mapper = RuntimeSpec.mapper();
            RuntimeSpec byDatabind = RuntimeSpec.parse(json.getBytes(StandardCharsets.UTF_8));
            RuntimeSpec ours = SpecBinder.spec(Json.parse(json, "t"));
            assertEquals(mapper.writeValueAsString(byDatabind), mapper.writeValueAsString(ours));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
