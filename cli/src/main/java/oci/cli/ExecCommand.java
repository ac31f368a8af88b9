package oci.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import oci.bundle.spec.RuntimeSpec;
import oci.runtime.Containers;
import oci.runtime.ContainerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * runc's exec: another process in a running container. In the foreground the exit code is that
 * process's and signals are forwarded to it; with --detach it is re-parented to the caller's
 * subreaper once this returns.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run a process in a running container (its namespaces and cgroups), by default as its config's process.")
final class ExecCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-d", "--detach"}, description = "Return once the process runs.")
    boolean detach;

    @Option(names = {"-t", "--tty"}, description = "Give the process a terminal.")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory in the container.")
    String cwd;

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "Run as this uid (and gid).")
    String user;

    @Option(names = {"-p", "--process"}, paramLabel = "FILE", description = "A runtime-spec process JSON to run (the other options then do not apply).")
    Path processFile;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process's pid to FILE.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCK", description = "Unix socket to send the terminal's master fd to.")
    Path consoleSocket;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Containers c = main.runtime.containers();
        try {
            RuntimeSpec.Process p;
            if (processFile != null) {
                p = Containers.readProcess(processFile);
            } else {
                p = c.process(id);
                if (command.isEmpty()) throw new OciException("exec: give a command, or --process FILE", Main.EXIT_USAGE);
                p.args = new ArrayList<>(command);
                List<String> e = new ArrayList<>(p.env == null ? List.of() : p.env);
                e.addAll(env);
                p.env = e;
                if (cwd != null) p.cwd = cwd;
                p.terminal = tty;
                if (user != null) {
                    if (p.user == null) p.user = new RuntimeSpec.User();
                    String[] ug = user.split(":", 2);
                    try {
                        p.user.uid = Long.parseLong(ug[0]);
                        if (ug.length == 2) p.user.gid = Long.parseLong(ug[1]);
                    } catch (NumberFormatException x) {
                        throw new OciException("exec: --user \"" + user + "\" is not UID[:GID]", Main.EXIT_USAGE);
                    }
                }
            }
            SignalForwarding signals = detach ? null : SignalForwarding.prepare();
            Containers.Created created = c.exec(id, p, Containers.Stdio.inherit(), pidFile, consoleSocket, !detach);
            if (detach) return 0;
            signals.to(created);
            int code = created.waitFor();
            signals.stop();
            return code;
        } catch (ContainerException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
