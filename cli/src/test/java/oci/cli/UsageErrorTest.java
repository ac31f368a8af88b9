package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mistyped command line is one line naming the mistake and where help is, exit 2; not the whole help text. */
class UsageErrorTest {
    @TempDir Path store;

    static Cli.Result usage(Path store, String... args) {
        Cli.Result r = Cli.run(store, args);
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertEquals("", r.out(), r.toString());
        return r;
    }

    @Test
    void unknownOption() {
        assertEquals("oci: Unknown option: '--bogus' (see `oci images --help`)\n", usage(store, "images", "--bogus").err());
    }

    @Test
    void optionWithoutItsValue() {
        Cli.Result r = usage(store, "bundle", "busybox", "/tmp/nowhere", "-e", "--", "sh");
        assertTrue(r.err().startsWith("oci: Expected parameter for option '--env'"), r.toString());
        assertTrue(r.err().endsWith(" (see `oci bundle --help`)\n"), r.toString());
    }

    @Test
    void unknownCommandSuggestsTheNearOne() {
        Cli.Result r = usage(store, "valdate");
        assertEquals("oci: unknown command 'valdate'; did you mean validate? (see `oci --help`)\n", r.err());
        assertEquals("oci: unexpected argument 'extra' (see `oci images --help`)\n", usage(store, "images", "extra").err());
    }

    @Test
    void everyCommandAnswersHelp() {
        for (var e : Main.subcommands()) {
            if (e.getKey().equals("help")) continue;
            Cli.Result r = Cli.run(store, e.getKey(), "--help");
            assertEquals(0, r.code(), e.getKey() + ": " + r);
            assertTrue(r.out().startsWith("Usage: oci " + e.getKey()), e.getKey() + ": " + r.out());
        }
        // the runtime's global options are listed where they matter, and still accepted elsewhere
        assertFalse(Cli.run(store, "import", "--help").out().contains("--log-format"));
        assertFalse(Cli.run(store, "pull", "--help").out().contains("--root"));
        assertTrue(Cli.run(store, "run", "--help").out().contains("--log-format"));
        assertEquals(0, Cli.run(store, "images", "--debug").code());
        // names and paths are not broken at a dot or a slash ("certs.\nd")
        String login = Cli.run(store, "login", "--help").out();
        assertTrue(login.contains("/etc/docker/certs.d/HOST:PORT") && login.contains("~/.config/oci/registries.json"), login);
        for (var e : Main.subcommands()) {
            List<String> lines = Cli.run(store, e.getKey(), "--help").out().lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                boolean split = lines.get(i).matches(".*[a-z0-9][./]$") && lines.get(i + 1).strip().matches("[a-z0-9].*")
                        && !lines.get(i + 1).startsWith("  oci "); // an example line, not a continuation
                assertFalse(split, e.getKey() + ": a word is broken: " + lines.get(i) + " | " + lines.get(i + 1));
            }
        }
    }

    @Test
    void theSynopsisAndTheCommandListKeepOptionsAndNamesWhole() {
        for (var e : Main.subcommands()) {
            if (e.getKey().equals("help")) continue;
            List<String> lines = Cli.run(store, e.getKey(), "--help").out().lines().toList();
            StringBuilder synopsis = new StringBuilder(lines.getFirst());
            for (int i = 1; i < lines.size() && lines.get(i).startsWith(" "); i++) synopsis.append(' ').append(lines.get(i).strip());
            for (String l : lines) assertTrue(l.length() <= 80 || !l.strip().contains(" "), e.getKey() + ": a line over 80 columns: " + l);
            // every option with a value, as the synopsis spells it, on one line ("--platform=OS/ARCH\n[/VARIANT]" was split)
            for (picocli.CommandLine.Model.OptionSpec o : new picocli.CommandLine(e.getValue()).getCommandSpec().options()) {
                if (o.hidden() || o.arity().max() == 0) continue;
                String token = o.shortestName() + (o.arity().min() == 0 ? "[=" + o.paramLabel() + "]" : "=" + o.paramLabel());
                assertTrue(synopsis.toString().contains(token), e.getKey() + ": " + token + " is not whole in: " + String.join("\n", lines));
            }
        }
        // the command list: each command's first sentence whole, no name broken after a dot
        String all = Cli.run(store, "--help").out().replaceAll("\\s+", " ");
        assertTrue(all.contains(" help Display help information about the specified command. pull "), all);
        assertTrue(all.contains("validate Check a bundle's config.json against the OCI runtime spec (config.md, config-linux.md)."), all);
        assertTrue(all.contains("no image needs and no mounted bundle uses; print what was freed."), all);
    }
}
