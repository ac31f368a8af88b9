package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The runtime verbs engines call on every container and every exec probe (exec, start, state, kill,
 * delete) without picocli, for their plain command lines: containerd's shim runs
 * {@code exec --process P --detach --pid-file F [--console-socket S] ID}, scripts
 * {@code exec ID CMD ARGS...}. Building picocli's model cost more CPU than the verb's own work
 * (hyperfine, user+sys per call with picocli and here: state 186 and 89 ms, exec --detach 242 and
 * 153 ms, kill 276 and 177 ms, delete 253 and 169 ms). As FastRun does for run and create, this reads only the simplest spellings
 * ({@link PlainCommandLine}); anything else (help, a clustered or attached short option, a repeated
 * option, an unknown option, a missing id) returns null, and picocli parses the line, errors and
 * all. MainTest checks that both parsers read the accepted lines alike.
 */
final class FastRuntime {
    private FastRuntime() {}

    /** The parsed command, or null when the line is not one this parser reads. */
    static PlainCommandLine.Parsed parse(String[] args) {
        String verb = Main.word(args);
        if (verb == null) return null;
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        try {
            return switch (verb) {
                case "exec" -> exec(args, main);
                case "start" -> start(args, main);
                case "state" -> state(args, main);
                case "kill" -> kill(args, main);
                case "delete" -> delete(args, main);
                default -> null;
            };
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    private static PlainCommandLine.Parsed exec(String[] args, Main main) {
        ExecCommand c = new ExecCommand();
        c.main = main;
        boolean plain = PlainCommandLine.read(args, "exec", main, Set.of("-e", "--env", "--cwd", "-u", "--user", "-p", "--process",
                        "--pid-file", "--console-socket"), Set.of(),
                Map.of("-d", "--detach", "-t", "--tty", "-e", "--env", "-u", "--user", "-p", "--process"), new PlainCommandLine.Command() {
                    @Override
                    public boolean option(String name, String value) {
                        switch (name) {
                            case "--detach" -> c.detach = true;
                            case "--tty" -> c.tty = true;
                            case "--env" -> c.env.add(value);
                            case "--cwd" -> c.cwd = value;
                            case "--user" -> c.user = value;
                            case "--process" -> c.processFile = Path.of(value);
                            case "--pid-file" -> c.pidFile = Path.of(value);
                            case "--console-socket" -> c.consoleSocket = Path.of(value);
                            default -> {
                                return false;
                            }
                        }
                        return true;
                    }

                    @Override
                    public boolean repeatable(String name) {
                        return name.equals("--env");
                    }

                    @Override
                    public boolean word(String word) {
                        if (c.id == null) c.id = word;
                        else c.command.add(word);
                        return true;
                    }

                    @Override
                    public boolean restAreWords() {
                        return c.id != null; // picocli's stopAtPositional, as Main sets it for exec
                    }
                });
        return plain && c.id != null ? new PlainCommandLine.Parsed("exec", c) : null; // no id: picocli's usage error
    }

    private static PlainCommandLine.Parsed start(String[] args, Main main) {
        OneId line = new OneId(null);
        if (!PlainCommandLine.read(args, "start", main, Set.of(), Set.of(), Map.of(), line) || line.id == null) return null;
        StartCommand c = new StartCommand();
        c.main = main;
        c.id = line.id;
        return new PlainCommandLine.Parsed("start", c);
    }

    private static PlainCommandLine.Parsed state(String[] args, Main main) {
        OneId line = new OneId(null);
        if (!PlainCommandLine.read(args, "state", main, Set.of(), Set.of(), Map.of(), line) || line.id == null) return null;
        StateCommand c = new StateCommand();
        c.main = main;
        c.id = line.id;
        return new PlainCommandLine.Parsed("state", c);
    }

    private static PlainCommandLine.Parsed kill(String[] args, Main main) {
        KillCommand c = new KillCommand();
        c.main = main;
        boolean[] signalGiven = {false};
        boolean plain = PlainCommandLine.read(args, "kill", main, Set.of(), Set.of(), Map.of("-a", "--all"), new PlainCommandLine.Command() {
            @Override
            public boolean option(String name, String value) {
                if (!name.equals("--all")) return false;
                c.all = true;
                return true;
            }

            @Override
            public boolean word(String word) {
                if (c.id == null) {
                    c.id = word;
                } else if (!signalGiven[0]) {
                    signalGiven[0] = true;
                    c.signal = word;
                } else {
                    return false;
                }
                return true;
            }
        });
        return plain && c.id != null ? new PlainCommandLine.Parsed("kill", c) : null;
    }

    private static PlainCommandLine.Parsed delete(String[] args, Main main) {
        OneId line = new OneId("--force");
        if (!PlainCommandLine.read(args, "delete", main, Set.of(), Set.of(), Map.of("-f", "--force"), line) || line.id == null) return null;
        DeleteCommand c = new DeleteCommand();
        c.main = main;
        c.id = line.id;
        c.force = line.flagged;
        return new PlainCommandLine.Parsed("delete", c);
    }

    /** A line of one container id and, where {@code flag} is not null, that flag or not. */
    private static final class OneId implements PlainCommandLine.Command {
        private final String flag;
        String id;
        boolean flagged;

        OneId(String flag) {
            this.flag = flag;
        }

        @Override
        public boolean option(String name, String value) {
            if (!name.equals(flag)) return false;
            flagged = true;
            return true;
        }

        @Override
        public boolean word(String word) {
            if (id != null) return false;
            id = word;
            return true;
        }
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter out, PrintWriter err) {
        PlainCommandLine.Parsed p = parse(args);
        if (p == null) return null;
        Object c = p.command();
        // No Containers.warmUp() for exec, unlike create: measured (hyperfine, exec --process --detach)
        // it cost ~55 ms more CPU (150 ms against 95 ms user) and gained no wall time.
        try {
            // instanceof, not a pattern switch: that one bootstraps method handles on its first use
            if (c instanceof ExecCommand e) return e.call();
            if (c instanceof StartCommand s) return s.call();
            if (c instanceof StateCommand s) return s.print(out);
            if (c instanceof KillCommand k) return k.call();
            return ((DeleteCommand) c).call();
        } catch (Exception e) {
            out.flush();
            return Main.report(e, p.verb(), err);
        }
    }
}
