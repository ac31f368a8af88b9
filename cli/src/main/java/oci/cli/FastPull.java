package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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

    /** The parsed command, or null when the line is not one this parser reads. */
    static PullCommand parse(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        PullCommand pull = new PullCommand();
        pull.main = main;
        try {
            boolean plain = PlainCommandLine.read(args, "pull", main,
                    Set.of("--platform", "-j", "--jobs", "--authfile", "--cert-dir", "--registries-conf", "--tls-verify"),
                    Set.of("--tls-verify"), Map.of("-j", "--jobs", "-q", "--quiet"), new PlainCommandLine.Command() {
                        @Override
                        public boolean option(String name, String value) {
                            switch (name) {
                                case "--platform" -> pull.platform = value;
                                case "--all-platforms" -> pull.allPlatforms = true;
                                case "--jobs" -> {
                                    if (!value.matches("[0-9]{1,6}")) return false;
                                    pull.jobs = Integer.parseInt(value);
                                }
                                case "--quiet" -> pull.quiet = true;
                                case "--tls-verify" -> {
                                    if (!value.equals("true") && !value.equals("false")) return false;
                                    pull.registry.tlsVerify = Boolean.parseBoolean(value);
                                }
                                case "--insecure" -> pull.registry.insecure = true;
                                case "--authfile" -> pull.registry.authfile = Path.of(value);
                                case "--cert-dir" -> pull.registry.certDir = Path.of(value);
                                case "--registries-conf" -> pull.registry.registriesConf = Path.of(value);
                                default -> {
                                    return false;
                                }
                            }
                            return true;
                        }

                        @Override
                        public boolean word(String word) {
                            if (pull.image != null) return false;
                            pull.image = word;
                            return true;
                        }
                    });
            return plain && pull.image != null ? pull : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
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
