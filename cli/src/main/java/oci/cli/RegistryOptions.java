package oci.cli;

import java.nio.file.Path;
import oci.registry.PullListener;
import oci.registry.RegistriesConfig;
import oci.registry.RegistryClient;
import oci.registry.auth.CredentialStore;
import picocli.CommandLine.Option;

/** Options shared by the commands that talk to registries (pull, login, logout). */
final class RegistryOptions {
    @Option(names = "--tls-verify", arity = "0..1", defaultValue = "true", fallbackValue = "true", paramLabel = "BOOL",
            description = "Verify the registry's TLS certificate (default true). --tls-verify=false accepts any certificate.")
    boolean tlsVerify = true;

    @Option(names = "--insecure", description = "Allow plain HTTP and unverified TLS for this command's registry "
            + "(loopback registries may always use HTTP).")
    boolean insecure;

    @Option(names = "--authfile", paramLabel = "FILE", description = "Credentials file to use instead of "
            + "$DOCKER_CONFIG/config.json, ~/.docker/config.json and containers' auth.json.")
    Path authfile;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "Directory with ca.crt (and client.cert/client.key) "
            + "for the registry, instead of /etc/docker/certs.d/HOST:PORT and ~/.config/containers/certs.d/HOST:PORT.")
    Path certDir;

    @Option(names = "--registries-conf", paramLabel = "FILE", description = "Mirrors and insecure registries (JSON). "
            + "Default: $OCI_REGISTRIES_CONFIG or ~/.config/oci/registries.json.")
    Path registriesConf;

    CredentialStore credentials() {
        return authfile != null ? CredentialStore.of(authfile, CredentialStore.pathDirs()) : CredentialStore.defaults();
    }

    RegistryClient client(String domain, PullListener listener) {
        RegistryClient.Builder b = RegistryClient.builder().credentials(credentials()).listener(listener)
                .config(RegistriesConfig.load(registriesConf != null ? registriesConf : RegistriesConfig.defaultPath()))
                .tlsVerify(tlsVerify && !insecure);
        if (insecure) b.insecure(domain).insecure(RegistryClient.apiHost(domain));
        if (certDir != null) b.certDir(certDir);
        return b.build();
    }
}
