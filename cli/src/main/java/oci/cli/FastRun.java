package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * `oci run` without picocli, for the plain command lines container engines and scripts write.
 * picocli is compiled for Java 5: its classes go through the old verifier and cannot be kept in a
 * class-data archive, and building its model costs a large part of a short run's start-up. This
 * parser accepts only the simplest spellings of run's options and the global ones; anything else
 * (help, the version, a clustered or attached short option, a value that looks like an option, a
 * repeated option, an @file, "--", an unknown word) returns null, and picocli parses the line as
 * before, errors and all. MainTest checks that both parsers read the accepted lines alike.
 */
final class FastRun {
    private FastRun() {}

    /** Options taking a value; the long ones may also be written --opt=value. */
    private static final Set<String> WITH_VALUE = Set.of("--store", "--root", "--log", "--log-format",
            "-b", "--bundle", "--pid-file", "--console-socket");

    /** The parsed command, or null when the line is not one this parser reads. */
    static RunCommand parse(String[] args) {
        try {
            return read(args);
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    private static RunCommand read(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        RunCommand run = new RunCommand();
        run.main = main;
        Set<String> seen = new HashSet<>();
        boolean verb = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.startsWith("@")) return null;
            if (!a.startsWith("-")) {
                if (!verb && a.equals("run")) {
                    verb = true;
                } else if (verb && run.id == null) {
                    run.id = a;
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
            } else if (WITH_VALUE.contains(a)) {
                if (i + 1 >= args.length) return null;
                value = args[++i];
            }
            if (value != null && (value.isEmpty() || value.startsWith("-") || value.startsWith("@"))) return null;
            if (name.equals("-b")) name = "--bundle";
            if (name.equals("-d")) name = "--detach";
            if (!seen.add(name)) return null;
            if (global(main, name, value)) continue;
            // run's own options come after the verb only.
            if (!verb) return null;
            switch (name) {
                case "--bundle" -> run.bundle = Path.of(value);
                case "--detach" -> run.detach = true;
                case "--rm" -> run.rm = true;
                case "--pid-file" -> run.pidFile = Path.of(value);
                case "--console-socket" -> run.consoleSocket = Path.of(value);
                case "--no-pivot" -> run.noPivot = true;
                default -> {
                    return null;
                }
            }
        }
        return verb ? run : null;
    }

    /**
     * Applies global option {@code name} (with its value, or null for a flag) to {@code main}; false
     * when it is not a global option, or its value is not one picocli reads as written (the caller then
     * refuses the line).
     */
    static boolean global(Main main, String name, String value) {
        switch (name) {
            case "--store" -> main.store = Path.of(value);
            case "--root" -> main.runtime.root = Path.of(value);
            case "--log" -> main.runtime.log = Path.of(value);
            case "--log-format" -> {
                if (value.equals("text")) main.runtime.logFormat = RuntimeOptions.LogFormat.text;
                else if (value.equals("json")) main.runtime.logFormat = RuntimeOptions.LogFormat.json;
                else return false;
            }
            case "--debug" -> main.runtime.debug = true;
            case "--systemd-cgroup" -> main.runtime.systemdCgroup = true;
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter err) {
        RunCommand run = parse(args);
        if (run == null) return null;
        try {
            return run.call();
        } catch (Exception e) {
            return Main.report(e, "run", err);
        }
    }
}
