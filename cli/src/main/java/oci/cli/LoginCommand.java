package oci.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import oci.registry.RegistryClient;
import oci.registry.auth.Credential;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code oci login REGISTRY}: check a user name and password with the registry, then save them (file mode 0600 or a credential helper). */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Log in to a registry (default docker.io) and save the credentials for pulls.")
final class LoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions registry;

    @Parameters(paramLabel = "REGISTRY", arity = "0..1", defaultValue = "docker.io", description = "Registry host[:port] (default ${DEFAULT-VALUE}).")
    String server;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name (asked for when missing and a terminal is there).")
    String username;

    @Option(names = "--password-stdin", description = "Read the password from standard input (one line).")
    boolean passwordStdin;

    @Override
    public Integer call() throws IOException {
        String domain = registryDomain(server);
        var console = System.console();
        if (username == null) {
            if (console == null || !console.isTerminal()) throw new OciException("log in to " + domain + ": no user name: use -u USER", Main.EXIT_USAGE);
            username = console.readLine("Username: ");
        }
        String password;
        if (passwordStdin) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else if (console != null && console.isTerminal()) {
            char[] pw = console.readPassword("Password: ");
            password = pw == null ? null : new String(pw);
        } else {
            throw new OciException("log in to " + domain + ": no terminal to ask for the password: use --password-stdin", Main.EXIT_USAGE);
        }
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw new OciException("log in to " + domain + ": user name and password must not be empty", Main.EXIT_USAGE);
        }
        Credential credential = Credential.basic(username, password.strip());
        try (RegistryClient client = registry.client(domain, e -> {})) {
            client.login(domain, credential);
        }
        String where = registry.credentials().save(domain, credential);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Login Succeeded (credentials saved in " + where + ")");
        out.flush();
        return 0;
    }

    /** {@code https://index.docker.io/v1/} → {@code docker.io}; a scheme or path the user pasted is dropped. */
    static String registryDomain(String s) {
        String d = s.trim();
        int scheme = d.indexOf("://");
        if (scheme >= 0) d = d.substring(scheme + 3);
        int slash = d.indexOf('/');
        if (slash >= 0) d = d.substring(0, slash);
        if (d.equals("index.docker.io") || d.equals("registry-1.docker.io")) d = "docker.io";
        if (d.isEmpty()) throw new OciException("invalid registry \"" + s + "\"", Main.EXIT_USAGE);
        return d;
    }
}
