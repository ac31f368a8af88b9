package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;

/** The hand-written id check, whitespace split and device rule checks accept and give exactly what the regexes they replace did. */
class PlainParsersTest {
    private static final Pattern OLD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

    private static String randomString(Random r, String alphabet, int maxLen) {
        int n = r.nextInt(maxLen + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }

    @Test
    void validIdMatchesTheOldRegex() {
        List<String> ids = new ArrayList<>(List.of("", "a", "Z", "0", "_", ".", "+", "-", "a_", "a.b+c-d", "-a", ".a", "_a",
                "+a", "a b", "a/b", "a\n", "é", "a\u0000", "a:b", "..", "a".repeat(127), "a".repeat(128), "a".repeat(129),
                "0" + "-".repeat(127), "0" + "-".repeat(128), "\u0661", "a\u00e9", "A@", "a~", "[a]", "a`", "a{"));
        Random r = new Random(12);
        String alphabet = "aZ09_.+-/ :@[`{~\u00e9\u0661\t\u0000";
        for (int i = 0; i < 200_000; i++) ids.add(randomString(r, alphabet, i % 50 == 0 ? 140 : 6));
        for (int len : new int[] {126, 127, 128, 129, 130}) {
            for (int i = 0; i < 200; i++) ids.add(randomString(r, "aZ9_.+-", len));
        }
        for (String id : ids) assertEquals(OLD_ID.matcher(id).matches(), Containers.validId(id), "id \"" + id + "\"");
        assertEquals(false, Containers.validId(null));
    }

    @Test
    void wordsSplitsAsTheOldRegex() throws Exception {
        List<String> texts = new ArrayList<>(List.of("", " ", "  ", "a", " a", "a ", " a ", "a b", "a  b", "a\tb\nc\u000Bd\fe\rf",
                "cpuset cpu io memory hugetlb pids rdma misc", "\n", "a\u00a0b", "a\u0001b", "\t\ta\t\t", "a \n b \n"));
        Random r = new Random(34);
        for (int i = 0; i < 100_000; i++) texts.add(randomString(r, "ab \t\n\u000B\f\r\u00a0\u0001", 12));
        Path controllers = Path.of("/sys/fs/cgroup/cgroup.controllers");
        if (Files.isReadable(controllers)) texts.add(Cgroups.readVirtual(controllers));
        for (String s : texts) assertArrayEquals(s.split("\\s+"), Cgroups.words(s), "text \"" + s + "\"");
    }

    /** CgroupSettings.rule's result or error message, for a device entry of this type and access. */
    private static String rule(String type, String access) {
        RuntimeSpec.DeviceCgroup d = new RuntimeSpec.DeviceCgroup();
        d.type = type;
        d.access = access;
        d.major = 1L;
        try {
            return CgroupSettings.rule(d);
        } catch (ContainerException e) {
            return "error: " + e.getMessage();
        }
    }

    /** The rule as the regexes made it. */
    private static String oldRule(String type, String access) {
        String t = type == null || type.isEmpty() ? "a" : type;
        if (!t.matches("[abc]")) return "error: linux.resources.devices: unknown type \"" + type + "\"";
        String a = access == null || access.isEmpty() ? "rwm" : access;
        if (!a.matches("[rwm]+")) return "error: linux.resources.devices: bad access \"" + access + "\"";
        if (t.equals("a")) return "a";
        return t + " 1:* " + a;
    }

    @Test
    void deviceRuleChecksMatchTheOldRegexes() {
        List<String> types = new ArrayList<>(List.of("", "a", "b", "c", "d", "A", "ab", "aa", " a", "a ", "\ud83d\ude00", "\u0000"));
        List<String> accesses = new ArrayList<>(List.of("", "r", "w", "m", "rwm", "mwr", "rr", "rwmx", "R", " r", "r\n", "\ud83d\ude00"));
        Random r = new Random(56);
        for (int i = 0; i < 2000; i++) {
            types.add(randomString(r, "abcdA \n", 3));
            accesses.add(randomString(r, "rwmxR \n", 5));
        }
        for (String t : types) assertEquals(oldRule(t, "rwm"), rule(t, "rwm"), "type \"" + t + "\"");
        for (String a : accesses) {
            for (String t : new String[] {"a", "b", "c", "x"}) assertEquals(oldRule(t, a), rule(t, a), "type " + t + " access \"" + a + "\"");
        }
        assertEquals(oldRule(null, null), rule(null, null));
    }
}
