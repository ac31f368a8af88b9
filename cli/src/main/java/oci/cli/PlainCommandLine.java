package oci.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The plain command lines that FastRun, FastPull, FastQuery and FastRuntime read without picocli:
 * the global options, the verb, then the command's own options and words, each option once (unless
 * the command repeats it), in the simplest spellings only. Anything else (help, a clustered or
 * attached short option, a value that looks like an option, a repeated option, an @file, "--", an
 * option whose value is optional, an unknown word) makes {@link #read} return false, and picocli
 * parses the line, errors and all.
 */
final class PlainCommandLine {
    private PlainCommandLine() {}

    /** A command line FastQuery or FastRuntime read: the verb and its command object. */
    record Parsed(String verb, Object command) {}

    /** What the command does with its own options and words; false refuses the line. */
    interface Command {
        /** {@code value} is null for a flag. */
        boolean option(String name, String value);

        /** A word that is not an option; by default none is taken (the line goes to picocli). */
        default boolean word(String word) {
            return false;
        }

        /** Whether option {@code name} may be given more than once (each value then goes to {@link #option}). */
        default boolean repeatable(String name) {
            return false;
        }

        /**
         * Whether every argument from here on is a word of the command's, options included (runc's
         * exec: what follows the container id is the command, as picocli's stopAtPositional reads it).
         */
        default boolean restAreWords() {
            return false;
        }
    }

    /**
     * Reads {@code args} into {@code main} (global options) and {@code command}.
     *
     * @param withValue the command's options that take a value
     * @param optionalValue the command's options whose value is optional: read only as --opt=value
     * @param aliases short names to the long ones the command is given
     * @return whether the line was plain and named {@code verb}
     */
    static boolean read(String[] args, String verb, Main main, Set<String> withValue, Set<String> optionalValue,
                        Map<String, String> aliases, Command command) {
        Set<String> seen = new HashSet<>();
        boolean verbSeen = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.startsWith("@")) return false;
            if (verbSeen && command.restAreWords()) {
                if (a.equals("--") || !command.word(a)) return false; // "--": picocli's to read
                continue;
            }
            if (!a.startsWith("-")) {
                if (!verbSeen && a.equals(verb)) verbSeen = true;
                else if (!verbSeen || !command.word(a)) return false;
                continue;
            }
            String name = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
                if (!Main.GLOBAL_WITH_VALUE.contains(name) && !withValue.contains(name)) return false;
            } else if (optionalValue.contains(a)) {
                return false; // picocli decides whether the next word is its value
            } else if (Main.GLOBAL_WITH_VALUE.contains(a) || withValue.contains(a)) {
                if (i + 1 >= args.length) return false;
                value = args[++i];
            }
            if (value != null && (value.isEmpty() || value.startsWith("-") || value.startsWith("@"))) return false;
            name = aliases.getOrDefault(name, name);
            if (!seen.add(name) && !command.repeatable(name)) return false;
            if (global(main, name, value)) continue;
            // The command's own options come after the verb only.
            if (!verbSeen || !command.option(name, value)) return false;
        }
        return verbSeen;
    }

    /**
     * Applies global option {@code name} (with its value, or null for a flag) to {@code main}; false
     * when it is not a global option, or its value is not one picocli reads as written (the caller then
     * refuses the line).
     */
    private static boolean global(Main main, String name, String value) {
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
}
