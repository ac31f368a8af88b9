package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * `oci run` and `oci create` without picocli, for the plain command lines container engines and
 * scripts write (containerd's shim and conmon call create as
 * {@code --root R --log L --log-format json create --bundle B --pid-file P [--console-socket S] ID}).
 * picocli is compiled for Java 5: its classes go through the old verifier and cannot be kept in a
 * class-data archive, and building its model costs a large part of a short run's start-up. Lines
 * that are not plain ({@link PlainCommandLine}) go to picocli as before. MainTest checks that both
 * parsers read the accepted lines alike.
 */
final class FastRun {
    private FastRun() {}

    /** The parsed command, or null when the line is not one this parser reads. */
    static RunCommand parse(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        RunCommand run = new RunCommand();
        run.main = main;
        try {
            boolean plain = PlainCommandLine.read(args, "run", main, Set.of("-b", "--bundle", "--pid-file", "--console-socket"), Set.of(),
                    Map.of("-b", "--bundle", "-d", "--detach"), new PlainCommandLine.Command() {
                        @Override
                        public boolean option(String name, String value) {
                            switch (name) {
                                case "--bundle" -> run.bundle = Path.of(value);
                                case "--detach" -> run.detach = true;
                                case "--rm" -> run.rm = true;
                                case "--keep" -> run.keep = true;
                                case "--pid-file" -> run.pidFile = Path.of(value);
                                case "--console-socket" -> run.consoleSocket = Path.of(value);
                                case "--no-pivot" -> run.noPivot = true;
                                default -> {
                                    return false;
                                }
                            }
                            return true;
                        }

                        @Override
                        public boolean word(String word) {
                            if (run.id != null) return false;
                            run.id = word;
                            return true;
                        }
                    });
            return plain ? run : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    /** The parsed create command, or null when the line is not one this parser reads. */
    static CreateCommand parseCreate(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        CreateCommand create = new CreateCommand();
        create.main = main;
        try {
            boolean plain = PlainCommandLine.read(args, "create", main, Set.of("-b", "--bundle", "--pid-file", "--console-socket"), Set.of(),
                    Map.of("-b", "--bundle"), new PlainCommandLine.Command() {
                        @Override
                        public boolean option(String name, String value) {
                            switch (name) {
                                case "--bundle" -> create.bundle = Path.of(value);
                                case "--pid-file" -> create.pidFile = Path.of(value);
                                case "--console-socket" -> create.consoleSocket = Path.of(value);
                                case "--no-pivot" -> create.noPivot = true;
                                case "--no-new-keyring" -> create.noNewKeyring = true;
                                default -> {
                                    return false;
                                }
                            }
                            return true;
                        }

                        @Override
                        public boolean word(String word) {
                            if (create.id != null) return false;
                            create.id = word;
                            return true;
                        }
                    });
            return plain && create.id != null ? create : null; // no id: picocli's usage error
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter err) {
        RunCommand run = parse(args);
        CreateCommand create = run == null ? parseCreate(args) : null;
        if (run != null || create != null) oci.runtime.Containers.warmUp(run != null && !run.detach);
        if (run != null) {
            try {
                return run.call();
            } catch (Exception e) {
                return Main.report(e, "run", err);
            }
        }
        if (create == null) return null;
        try {
            return create.call();
        } catch (Exception e) {
            return Main.report(e, "create", err);
        }
    }
}
