package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
        description = "From an image name to a running container, without Docker.",
        subcommands = {
            CommandLine.HelpCommand.class,
            PullCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            ImportCommand.class,
            ImagesCommand.class,
            InspectCommand.class,
            TagCommand.class,
            RmiCommand.class,
            GcCommand.class,
            FsckCommand.class,
            BundleCommand.class,
            SpecCommand.class,
            ValidateCommand.class,
            UnpackCommand.class,
            CreateCommand.class,
            StartCommand.class,
            StateCommand.class,
            KillCommand.class,
            DeleteCommand.class,
            RunCommand.class,
            ListCommand.class,
            ExecCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            PsCommand.class,
        })
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
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs {@code oci} with the given streams; tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // runc's exec: what follows the container id is the command, options included.
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        return cl.execute(args);
    }

    /** A mistyped command line: one line with the mistake and where help is, as git and docker do, not the whole help. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        String msg = e.getMessage().strip().replace('\n', ' ');
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            msg += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        PrintWriter err = c.getErr();
        err.println("oci: " + msg + " (see `" + c.getCommandSpec().qualifiedName() + " --help`)");
        err.flush();
        return EXIT_USAGE;
    }

    /** One line, {@code oci: <message>}; the stack trace only with OCI_DEBUG set. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String msg = e.getMessage();
        // a file operation no command turned into its own message: name the command and the file, not the Java class
        IOException io = e instanceof IOException i ? i : e instanceof UncheckedIOException u ? u.getCause() : null;
        if (io != null) {
            msg = cl.getCommandName() + ": " + ImageException.reason(io);
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
            return new String[] {"oci " + (v == null ? "0.1.0" : v), "java " + Runtime.version()};
        }
    }
}
