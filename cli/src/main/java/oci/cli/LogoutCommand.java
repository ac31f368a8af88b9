package oci.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code oci logout REGISTRY}: remove saved credentials. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove the saved credentials for a registry (default docker.io).")
final class LogoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions registry;

    @Parameters(paramLabel = "REGISTRY", arity = "0..1", defaultValue = "docker.io", description = "Registry host[:port] (default ${DEFAULT-VALUE}).")
    String server;

    @Override
    public Integer call() {
        String domain = LoginCommand.registryDomain(server);
        boolean removed = registry.credentials().erase(domain);
        PrintWriter out = spec.commandLine().getOut();
        out.println(removed ? "Removed login credentials for " + domain : "Not logged in to " + domain);
        out.flush();
        return 0;
    }
}
