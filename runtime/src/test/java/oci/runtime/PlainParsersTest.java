package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written id check and whitespace split accept and give exactly what the regexes they replace did. */
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
}
