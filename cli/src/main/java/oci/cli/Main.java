package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import oci.image.ImageException;
import oci.image.store.Store;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code oci} command. Each subcommand is a class of its own in this package; this class only
 * wires them up and maps failures to one line on stderr and an exit code.
 */
@Command(
        name = "oci",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "From an image name to a running container, without Docker.")
public final class Main {
    @Option(names = "--store", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The image store, an OCI layout. Default: $OCI_STORE; as root /var/lib/oci/store; "
                    + "otherwise $XDG_DATA_HOME/oci/store.")
    Path store;

    /** runc's global options (--root, --log, --log-format, --debug), inherited by every subcommand. */
    @CommandLine.Mixin
    RuntimeOptions runtime;

    /** Opens the store the user chose (or the default one). */
    public Store openStore() {
        return Store.open(store != null ? store : Store.defaultRoot());
    }

    /** Exit code for bad input (a missing image, a corrupt blob, a malformed option value). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code for a usage error, as picocli uses it. */
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        String verb = word(args);
        if ("create".equals(verb) || "run".equals(verb)) startNumbers();
        // A pull's first request waits for OkHttp's first-use work (RegistryClient.prepare, threads of
        // its own): started before the command line is read, it overlaps all of that.
        if ("pull".equals(verb)) oci.registry.RegistryClient.prepare();
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        // System.exit looks up a System.Logger for Runtime.exit's event (JDK 17+), and finding the
        // logging back end scans the whole class path for a LoggerFinder service: it opens all 22
        // jars in lib/ (bcprov's 8 MB among them), ~40 ms of a short command. A command that ran in
        // this thread alone and succeeded returns instead (the JVM then exits 0, shutdown hooks and
        // all, without that lookup). Commands that may leave threads (OkHttp's) still exit.
        if (code == 0 && ranAlone) return;
        // The runtime verbs (what engines call several times per container) leave no thread of
        // their own behind: when none but daemons is alive, they end the same way, a non-zero code
        // by Runtime.halt once stdout and stderr are flushed (the writers flush their streams). halt skips the shutdown hooks, and
        // these verbs register none (only the image commands do: ExitCleanup, Scratch); the JVM's
        // own exit work (hsperfdata and the like) runs for halt as for exit.
        if (RUNTIME_VERBS.contains(verb) && !otherThreadsAlive()) {
            out.flush();
            err.flush();
            if (code == 0) return;
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /**
     * Starts BigDecimal's initialisation on a thread of its own: JDK 25's BigDecimal computes
     * 5^(2^16) as it is initialised (15-20 ms of squaring), and jackson-core's parsers initialise it;
     * a create reads config.json ~20 ms after main begins. Training calls this too, so that the
     * start-up archives hold the thread's class (loaded from the jar and verified otherwise, ~1 ms
     * of every create).
     */
    static void startNumbers() {
        Thread.ofPlatform().daemon().name("oci-numbers").start(new Runnable() {
            @Override
            public void run() {
                java.math.BigDecimal.ONE.signum();
            }
        });
    }

    /** The verbs whose end {@link #main} may take without System.exit. */
    private static final Set<String> RUNTIME_VERBS = Set.of("create", "start", "state", "kill", "delete", "run");

    /** Whether a platform thread other than this one that is not a daemon is alive (virtual threads are daemons). */
    static boolean otherThreadsAlive() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) g = g.getParent();
        Thread[] all = new Thread[g.activeCount() + 16];
        int n = g.enumerate(all, true);
        if (n == all.length) return true; // more than counted: do not guess
        for (int i = 0; i < n; i++) {
            if (all[i] != Thread.currentThread() && !all[i].isDaemon() && all[i].isAlive()) return true;
        }
        return false;
    }

    /** The first argument that is not a global option (nor a global option's value); null when there is none. */
    static String word(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /** Set when the command ran on a path that starts no thread (the version, FastQuery). */
    private static boolean ranAlone;

    /**
     * The subcommands by name, in the order help lists them. picocli reflects over every class it is
     * given, which costs most of a short command's start-up: a known verb registers only its own class.
     * In a holder: the commands on their fast paths (FastRun, FastPull, FastQuery, FastRuntime) load none of these classes.
     */
    static List<Map.Entry<String, Class<?>>> subcommands() {
        return Subcommands.ALL;
    }

    private static final class Subcommands {
        static final List<Map.Entry<String, Class<?>>> ALL = List.of(
                Map.entry("help", CommandLine.HelpCommand.class),
                Map.entry("pull", PullCommand.class),
                Map.entry("login", LoginCommand.class),
                Map.entry("logout", LogoutCommand.class),
                Map.entry("import", ImportCommand.class),
                Map.entry("images", ImagesCommand.class),
                Map.entry("inspect", InspectCommand.class),
                Map.entry("tag", TagCommand.class),
                Map.entry("rmi", RmiCommand.class),
                Map.entry("gc", GcCommand.class),
                Map.entry("fsck", FsckCommand.class),
                Map.entry("bundle", BundleCommand.class),
                Map.entry("rmbundle", RmbundleCommand.class),
                Map.entry("spec", SpecCommand.class),
                Map.entry("validate", ValidateCommand.class),
                Map.entry("unpack", UnpackCommand.class),
                Map.entry("create", CreateCommand.class),
                Map.entry("start", StartCommand.class),
                Map.entry("state", StateCommand.class),
                Map.entry("kill", KillCommand.class),
                Map.entry("delete", DeleteCommand.class),
                Map.entry("run", RunCommand.class),
                Map.entry("list", ListCommand.class),
                Map.entry("exec", ExecCommand.class),
                Map.entry("pause", PauseCommand.class),
                Map.entry("resume", ResumeCommand.class),
                Map.entry("ps", PsCommand.class),
                Map.entry("update", UpdateCommand.class),
                Map.entry("events", EventsCommand.class),
                Map.entry("features", FeaturesCommand.class),
                Map.entry("checkpoint", CheckpointCommand.class),
                Map.entry("restore", RestoreCommand.class));
    }

    /** Global options that take a value (as a separate argument unless written --opt=value). */
    static final Set<String> GLOBAL_WITH_VALUE = Set.of("--store", "--root", "--log", "--log-format");
    /** Global flags. */
    private static final Set<String> GLOBAL_FLAGS = Set.of("--debug", "--systemd-cgroup");

    /**
     * The subcommand {@code args} name, when everything before it is a global option; null when
     * they ask for help or the version, name no known verb, or carry an option only the whole
     * command line knows (then every subcommand is registered, for the usage and "did you mean").
     */
    static Class<?> verb(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_WITH_VALUE.contains(a)) {
                i++;
            } else if (GLOBAL_FLAGS.contains(a) || a.startsWith("--") && GLOBAL_WITH_VALUE.contains(a.substring(0, Math.max(a.indexOf('='), 0)))) {
                // a flag, or --opt=value
            } else if (a.startsWith("-") || a.equals("help")) {
                return null;
            } else {
                for (Map.Entry<String, Class<?>> e : subcommands()) if (e.getKey().equals(a)) return e.getValue();
                return null;
            }
        }
        return null;
    }

    /** Runs {@code oci} with the given streams; tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // picocli otherwise looks for groovy.lang.Closure, a miss that opens every jar on the class path.
        if (System.getProperty("picocli.disable.closures") == null) System.setProperty("picocli.disable.closures", "true");
        // The version alone needs no command model: picocli would build all of it (every subcommand's).
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            for (String line : new Version().getVersion()) out.println(line);
            out.flush();
            ranAlone = true;
            return 0;
        }
        Integer fast = FastRun.tryRun(args, err);
        if (fast == null) fast = FastRuntime.tryRun(args, out, err);
        if (fast == null) fast = FastPull.tryRun(args, out, err);
        if (fast != null) return fast;
        fast = FastQuery.tryRun(args, out, err);
        if (fast != null) {
            ranAlone = true;
            return fast;
        }
        return execute(args, out, err, verb(args));
    }

    /** runc's global options: accepted everywhere (they are global), listed only by the commands they concern. */
    private static final Set<String> RUNTIME_GLOBALS = Set.of("--root", "--log", "--log-format", "--debug");
    /** Commands of images and bundle files, which no runtime option concerns. */
    private static final Set<String> IMAGE_VERBS = Set.of("pull", "login", "logout", "import", "images", "inspect", "tag", "rmi", "gc",
            "fsck", "unpack", "spec", "validate");

    private static void hideRuntimeOptions(CommandLine.Model.CommandSpec spec) {
        for (CommandLine.Model.OptionSpec o : new java.util.ArrayList<>(spec.options())) {
            if (o.inherited() && RUNTIME_GLOBALS.contains(o.longestName())) {
                spec.remove(o);
                spec.addOption(o.toBuilder().hidden(true).build());
            }
        }
    }

    /** Runs picocli with subcommand {@code only} registered, or all of them when it is null. */
    private static int execute(String[] args, PrintWriter out, PrintWriter err, Class<?> only) {
        CommandLine cl = new CommandLine(new Main());
        for (Map.Entry<String, Class<?>> e : subcommands()) {
            if (only == null || only == e.getValue()) cl.addSubcommand(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (IMAGE_VERBS.contains(e.getKey())) hideRuntimeOptions(e.getValue().getCommandSpec());
        }
        HelpLayout.install(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // runc's exec: what follows the container id is the command, options included.
        CommandLine exec = cl.getSubcommands().get("exec");
        if (exec != null) exec.setStopAtPositional(true);
        // runc's ps: what follows the container id are ps(1)'s options
        CommandLine ps = cl.getSubcommands().get("ps");
        if (ps != null) ps.setStopAtPositional(true);
        // A usage error prints the usage, which lists the subcommands: parse again with all of them
        // (nothing ran yet) so the message is the same as ever.
        if (only != null) cl.setParameterExceptionHandler((ex, a) -> execute(args, out, err, null));
        return cl.execute(args);
    }

    /** A mistyped command line: one line with the mistake and where help is, as git and docker do, not the whole help. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        String msg = e.getMessage().strip().replace('\n', ' ');
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")) {
            // not picocli's "Unmatched argument at index 2": what the user typed, in the user's terms
            String first = u.getUnmatched().getFirst();
            msg = (c.getParent() == null ? "unknown command '" : "unexpected argument '") + first + "'";
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            // the closest one, as git names it
            String typed = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().getFirst();
            String best = u.getSuggestions().stream().min(java.util.Comparator.comparingInt(x -> oci.image.store.Store.distance(typed, x))).orElseThrow();
            msg += "; did you mean " + best + "?";
        }
        PrintWriter err = c.getErr();
        err.println("oci: " + msg + " (see `" + c.getCommandSpec().qualifiedName() + " --help`)");
        err.flush();
        return EXIT_USAGE;
    }

    /** One line, {@code oci: <message>}; the stack trace only with OCI_DEBUG set. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        return report(e, cl.getCommandName(), cl.getErr());
    }

    static int report(Exception e, String command, PrintWriter err) {
        String msg = e.getMessage();
        // a file operation no command turned into its own message: name the command and the file, not the Java class
        IOException io = e instanceof IOException i ? i : e instanceof UncheckedIOException u ? u.getCause() : null;
        if (io != null) {
            msg = command + ": " + ImageException.reason(io);
        } else if (msg == null || msg.isBlank() || !(e instanceof ImageException || e instanceof OciException)) {
            msg = e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        }
        err.println("oci: " + msg);
        if (System.getenv("OCI_DEBUG") != null) e.printStackTrace(err);
        err.flush();
        return e instanceof OciException oe ? oe.exitCode() : EXIT_FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            // the property Runtime.version() parses, as it prints it (without its stream and lambda)
            return new String[] {"oci " + (v == null ? "0.1.0" : v), "java " + System.getProperty("java.runtime.version")};
        }
    }
}
