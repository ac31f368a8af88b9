package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import oci.bundle.spec.Extensible;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;

/** config.json written by jackson-core's generator is byte for byte what databind writes of the same beans. */
class ConfigFileTest {
    private static void same(RuntimeSpec spec) {
        byte[] streamed = ConfigFile.streamed(spec);
        assertNotNull(streamed);
        byte[] databind = ConfigFile.databind(spec);
        assertArrayEquals(databind, streamed, () -> "databind:\n" + new String(databind, StandardCharsets.UTF_8)
                + "\nstreamed:\n" + new String(streamed, StandardCharsets.UTF_8));
    }

    @Test
    void theDefaultSpecsAsDatabindWritesThem() {
        same(Defaults.runcSpec(false, 0, 0));
        same(Defaults.runcSpec(true, 1000, 1000));
        same(new RuntimeSpec());
    }

    @Test
    void everyFieldOfEveryClassAndUnknownFieldsAsDatabindWritesThem() throws Exception {
        RuntimeSpec s = filled(RuntimeSpec.class, 0);
        same(s);
        // a config.json read back (numbers as databind reads them, unknown fields kept) is written alike too
        same(RuntimeSpec.parse(ConfigFile.databind(s)));
    }

    @Test
    void theGoldenConfigsAsDatabindWritesThem() throws Exception {
        Path golden = Path.of("src/test/resources/golden");
        List<Path> configs;
        try (Stream<Path> all = Files.walk(golden)) {
            configs = all.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        }
        for (Path p : configs) {
            RuntimeSpec s;
            try {
                s = RuntimeSpec.parse(Files.readAllBytes(p));
            } catch (Exception notASpec) {
                continue;
            }
            same(s);
        }
    }

    @Test
    void aValueOfAnotherTypeGoesToDatabind() {
        RuntimeSpec s = Defaults.runcSpec(false, 0, 0);
        s.unknownFields().put("when", new java.util.Date(0));
        assertNull(ConfigFile.streamed(s));
        assertArrayEquals(ConfigFile.databind(s), ConfigFile.toBytes(s));
    }

    /** A bean with every field set (nested beans to a few levels), and unknown fields of every JSON type. */
    @SuppressWarnings("unchecked")
    private static <T> T filled(Class<T> c, int depth) throws Exception {
        T bean = c.getConstructor().newInstance();
        for (Field f : c.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || Modifier.isStatic(m)) continue;
            f.set(bean, sample(f.getGenericType(), f.getName(), depth));
        }
        Map<String, Object> unknown = ((Extensible) bean).unknownFields();
        unknown.put("x-string", "v");
        unknown.put("x-null", null);
        unknown.put("x-number", 12);
        unknown.put("x-long", 1L << 40);
        unknown.put("x-big", new BigInteger("123456789012345678901234567890"));
        unknown.put("x-double", 1.5);
        unknown.put("x-bool", false);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("a", new ArrayList<>(List.of(1, "two", Map.of())));
        tree.put("b", null);
        tree.put("c", new ArrayList<>());
        unknown.put("x-tree", tree);
        return bean;
    }

    private static Object sample(Type t, String name, int depth) throws Exception {
        if (t == String.class) return "v-" + name + " \"quoted\"\t\u00e9";
        if (t == Boolean.class || t == boolean.class) return true;
        if (t == Integer.class || t == int.class) return -7;
        if (t == Long.class || t == long.class) return 1L << 33;
        if (t instanceof Class<?> c && Extensible.class.isAssignableFrom(c)) return depth > 3 ? null : filled(c, depth + 1);
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            List<Object> l = new ArrayList<>();
            l.add(sample(p.getActualTypeArguments()[0], name, depth));
            l.add(sample(p.getActualTypeArguments()[0], name, depth));
            return l;
        }
        if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
            Map<String, Object> m = new LinkedHashMap<>();
            Type v = p.getActualTypeArguments()[1];
            m.put("k1", v == String.class ? "s" : Map.of("n", 1));
            m.put("k2", v == String.class ? "t" : List.of("x"));
            return m;
        }
        throw new IllegalStateException("no sample for " + t + " (" + name + ")");
    }
}
