package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;

/** The runtime's JSON on jackson-core: what config.json reading and the state files rely on. */
class JsonTest {
    @Test
    void parsesToOrderedMapsListsAndLongs() {
        Object v = Json.parse("{\"b\": [1, -2, 1.5, \"x\\u0041\\n\", true, null], \"a\": {}}", "t");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), new ArrayList<>(m.keySet()));
        List<?> l = (List<?>) m.get("b");
        assertEquals(1L, l.get(0));
        assertEquals(-2L, l.get(1));
        assertEquals(1.5, l.get(2));
        assertEquals("xA\n", l.get(3));
        assertEquals(Boolean.TRUE, l.get(4));
        assertEquals(null, l.get(5));
        assertEquals(Map.of(), m.get("a"));
    }

    @Test
    void uint64AboveLongMaxKeepsItsBitsInALongField() {
        // RLIM_INFINITY as runc spec writes it
        Object tree = Json.parse("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024}]}}", "t");
        assertEquals(new BigInteger("18446744073709551615"), ((Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) tree).get("process")).get("rlimits")).get(0)).get("hard"));
        RuntimeSpec.Rlimit r = SpecBinder.spec(tree).process.rlimits.get(0);
        assertEquals(-1L, r.hard);
        assertEquals(1024L, r.soft);
    }

    @Test
    void bindsNamesAndKeepsUnknownFields() {
        RuntimeSpec spec = SpecBinder.spec(Json.parse("{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
                + "\"user\":{\"uid\":1,\"gid\":2}},\"madeUp\":{\"x\":1}}", "config.json"));
        assertEquals("1.2.0", spec.ociVersion);
        assertEquals(List.of("sh"), spec.process.args);
        assertEquals(2L, spec.process.user.gid);
        assertEquals(Map.of("x", 1L), spec.unknownFields().get("madeUp"));
    }

    @Test
    void aWrongTypeNamesItsPath() {
        ContainerException e = assertThrows(ContainerException.class, () -> SpecBinder.spec(
                Json.parse("{\"process\":{\"args\":\"sh\"}}", "config.json")));
        assertEquals("config.json process.args: expected an array", e.getMessage());
    }

    @Test
    void malformedTextIsOneLineWithItsLineNumber() {
        ContainerException e = assertThrows(ContainerException.class, () -> Json.parse("{\n\"a\": 1,\n\"b\": tru\n}", "cfg"));
        assertTrue(e.getMessage().startsWith("parse cfg: line 3: "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(ContainerException.class, () -> Json.parse("{} {}", "cfg"));
        assertEquals("parse cfg: line 1: unexpected text after the JSON value", e.getMessage());
        e = assertThrows(ContainerException.class, () -> Json.parse("", "cfg"));
        assertEquals("parse cfg: line 1: unexpected end of input", e.getMessage());
        e = assertThrows(ContainerException.class, () -> Json.parse("{\"a\": [1, 2", "cfg"));
        assertTrue(e.getMessage().startsWith("parse cfg: line 1: Unexpected end-of-input"), e.getMessage());
    }

    @Test
    void writesCompactAndRuncsIndentedLayout() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", "1.2.0");
        m.put("pid", 42);
        m.put("big", new BigInteger("18446744073709551615"));
        m.put("q", "a\"b\\c\u0001");
        m.put("annotations", Map.of());
        m.put("list", List.of("x", 2L));
        m.put("empty", List.of());
        m.put("none", null);
        assertEquals("{\"ociVersion\":\"1.2.0\",\"pid\":42,\"big\":18446744073709551615,\"q\":\"a\\\"b\\\\c\\u0001\","
                + "\"annotations\":{},\"list\":[\"x\",2],\"empty\":[],\"none\":null}", Json.write(m));
        assertEquals("""
                {
                  "ociVersion": "1.2.0",
                  "pid": 42,
                  "big": 18446744073709551615,
                  "q": "a\\"b\\\\c\\u0001",
                  "annotations": {},
                  "list": [
                    "x",
                    2
                  ],
                  "empty": [],
                  "none": null
                }""", Json.writePretty(m));
        assertEquals(m.toString(), Json.parse(Json.write(m), "t").toString());
    }
}
