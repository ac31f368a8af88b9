package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * `oci pull` without picocli, for the plain command lines people and scripts type. Building
 * picocli's model costs ~0.2 s of a pull's start-up (its classes cannot be kept in the class-data
 * archive; see FastRun), paid before the first request. Like FastRun, this parser accepts only the
 * simplest spellings of pull's options and the global ones; anything else (help, a clustered or
 * attached short option, a value that looks like an option, a repeated option, an @file, "--",
 * {@code --tls-verify} without "=", an unknown word) returns null, and picocli parses the line.
 * MainTest checks that both parsers read the accepted lines alike.
 */
final class FastPull {
    private FastPull() {}

    /** Options taking a value; the long ones may also be written --opt=value. */
    private static final Set<String> WITH_VALUE = Set.of("--store", "--root", "--log", "--log-format",
            "--platform", "-j", "--jobs", "--authfile", "--cert-dir", "--registries-conf", "--tls-verify");

    /** The parsed command, or null when the line is not one this parser reads. */
    static PullCommand parse(String[] args) {
        try {
            return read(args);
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    private static PullCommand read(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        PullCommand pull = new PullCommand();
        pull.main = main;
        Set<String> seen = new HashSet<>();
        boolean verb = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.startsWith("@")) return null;
            if (!a.startsWith("-")) {
                if (!verb && a.equals("pull")) {
                    verb = true;
                } else if (verb && pull.image == null) {
                    pull.image = a;
                } else {
                    return null;
                }
                continue;
            }
            String name = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
                if (!WITH_VALUE.contains(name)) return null;
            } else if (a.equals("--tls-verify")) {
                return null; // its value is optional: picocli decides whether the next word is one
            } else if (WITH_VALUE.contains(a)) {
                if (i + 1 >= args.length) return null;
                value = args[++i];
            }
            if (value != null && (value.isEmpty() || value.startsWith("-") || value.startsWith("@"))) return null;
            if (name.equals("-j")) name = "--jobs";
            if (name.equals("-q")) name = "--quiet";
            if (!seen.add(name)) return null;
            if (FastRun.global(main, name, value)) continue;
            // pull's own options come after the verb only.
            if (!verb) return null;
            switch (name) {
                case "--platform" -> pull.platform = value;
                case "--all-platforms" -> pull.allPlatforms = true;
                case "--jobs" -> {
                    if (!value.matches("[0-9]{1,6}")) return null;
                    pull.jobs = Integer.parseInt(value);
                }
                case "--quiet" -> pull.quiet = true;
                case "--tls-verify" -> {
                    if (!value.equals("true") && !value.equals("false")) return null;
                    pull.registry.tlsVerify = Boolean.parseBoolean(value);
                }
                case "--insecure" -> pull.registry.insecure = true;
                case "--authfile" -> pull.registry.authfile = Path.of(value);
                case "--cert-dir" -> pull.registry.certDir = Path.of(value);
                case "--registries-conf" -> pull.registry.registriesConf = Path.of(value);
                default -> {
                    return null;
                }
            }
        }
        return verb && pull.image != null ? pull : null;
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter out, PrintWriter err) {
        PullCommand pull = parse(args);
        if (pull == null) return null;
        try {
            return pull.pull(out);
        } catch (Exception e) {
            return Main.report(e, "pull", err);
        }
    }
}
