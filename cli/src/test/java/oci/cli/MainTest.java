package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Main registers only the verb it is given; help, the version and mistakes still see every subcommand. */
class MainTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void theTableNamesEachClassAsItsAnnotationDoes() {
        for (Map.Entry<String, Class<?>> e : Main.SUBCOMMANDS) {
            assertEquals(e.getKey(), e.getValue().getAnnotation(CommandLine.Command.class).name(), e.getValue().getName());
        }
    }

    @Test
    void theVerbIsFoundAfterGlobalOptionsInEitherForm() {
        assertEquals(RunCommand.class, Main.verb(new String[] {"run", "-b", "x"}));
        assertEquals(RunCommand.class, Main.verb(new String[] {"--root", "/r", "--debug", "--log=/l", "--log-format", "json", "run"}));
        assertEquals(StateCommand.class, Main.verb(new String[] {"--store=/s", "--systemd-cgroup", "state", "c"}));
        assertEquals(ExecCommand.class, Main.verb(new String[] {"exec", "c", "help"}));
    }

    @Test
    void helpVersionAndUnknownWordsGetEverySubcommand() {
        assertNull(Main.verb(new String[] {}));
        assertNull(Main.verb(new String[] {"help", "run"}));
        assertNull(Main.verb(new String[] {"--help", "run"}));
        assertNull(Main.verb(new String[] {"-V"}));
        assertNull(Main.verb(new String[] {"--bogus", "run"}));
        assertNull(Main.verb(new String[] {"rn"}));
        assertNull(Main.verb(new String[] {"--root"}));
    }

    @Test
    void usageListsEverySubcommandAndMistakesGetSuggestions() {
        String[] help = run("--help");
        assertEquals("0", help[0]);
        for (Map.Entry<String, Class<?>> e : Main.SUBCOMMANDS) assertTrue(help[1].contains("  " + e.getKey() + " "), e.getKey() + " in\n" + help[1]);
        String[] typo = run("--root", "/nonexistent", "stat");
        assertEquals("2", typo[0]);
        assertTrue(typo[2].contains("Did you mean") && typo[2].contains("state"), typo[2]);
        String[] sub = run("help", "run");
        assertEquals("0", sub[0]);
        assertTrue(sub[1].contains("Usage: oci run"), sub[1]);
    }

    @Test
    void globalOptionsWorkAfterTheVerbToo() {
        String[] before = run("--root", "/nonexistent-oci-root", "--log-format", "json", "state", "nosuch");
        String[] after = run("state", "--root", "/nonexistent-oci-root", "--log-format=json", "nosuch");
        assertEquals(before[0], after[0]);
        assertEquals(before[2], after[2]);
        assertTrue(before[2].contains("nosuch"), before[2]);
    }
}
