package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oci.image.ImageRef;
import oci.image.store.Store;
import oci.registry.auth.CredentialStore;
import oci.testdata.registry.RegistryServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real docker-registries over TLS with a CA made here: one plain TLS, one that requires client certificates. */
class TlsTest {
    @TempDir
    static Path dir;

    static RegistryServer tls;
    static RegistryServer mtls;
    /** certs.d layout: dir/certs.d/127.0.0.1:PORT/{ca.crt,client.cert,client.key} */
    static Path certsD;
    static Path caOnly;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        TestPki.Issued ca = TestPki.ca("oci test CA");
        TestPki.Issued server = TestPki.server(ca);
        TestPki.Issued client = TestPki.client(ca, "oci test client");
        Path pki = Files.createDirectories(dir.resolve("pki"));
        server.write(pki.resolve("server.crt"), pki.resolve("server.key"));
        Files.writeString(pki.resolve("ca.pem"), TestPki.pem(ca.cert()));
        tls = RegistryServer.builder(dir.resolve("tls")).tls(pki.resolve("server.crt"), pki.resolve("server.key")).start();
        mtls = RegistryServer.builder(dir.resolve("mtls")).tls(pki.resolve("server.crt"), pki.resolve("server.key"))
                .clientCa(pki.resolve("ca.pem")).start();
        certsD = dir.resolve("certs.d");
        for (RegistryServer r : List.of(tls, mtls)) {
            Path d = Files.createDirectories(certsD.resolve(r.hostPort()));
            Files.writeString(d.resolve("ca.crt"), TestPki.pem(ca.cert()));
            client.write(d.resolve("client.cert"), d.resolve("client.key"));
        }
        caOnly = Files.createDirectories(dir.resolve("ca-only"));
        Files.writeString(caOnly.resolve("ca.crt"), TestPki.pem(ca.cert()));
        Images.push(dir, Images.unique("linux", "amd64"), tls.hostPort() + "/secure/app:1", "--dest-cert-dir", certsD.resolve(tls.hostPort()).toString());
        Images.push(dir, Images.unique("linux", "amd64"), mtls.hostPort() + "/secure/app:1", "--dest-cert-dir", certsD.resolve(mtls.hostPort()).toString());
    }

    @AfterAll
    static void stop() {
        if (tls != null) tls.close();
        if (mtls != null) mtls.close();
    }

    RegistryClient.Builder client() {
        return RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of())).certsDirs(List.of());
    }

    @Test
    void unknownCaIsAClearTlsFailureAndNothingIsStored() {
        Store store = Store.open(tmp.resolve("s"));
        try (RegistryClient c = client().build()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(tls.hostPort() + "/secure/app:1"), store, PullOptions.defaults()));
            assertTrue(e.getMessage().contains("TLS handshake with " + tls.hostPort() + " failed"), e.getMessage());
            assertTrue(e.getMessage().contains("--tls-verify=false"), e.getMessage());
        }
        assertTrue(store.entries().isEmpty());
    }

    @Test
    void caFromCertsDirectoryIsTrusted() {
        try (RegistryClient c = client().certsDirs(List.of(certsD)).build()) {
            PullResult r = c.pull(ImageRef.parse(tls.hostPort() + "/secure/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
            assertEquals(tls.hostPort() + "/secure/app:1", r.name());
        }
    }

    @Test
    void tlsVerifyFalseAcceptsTheUnknownCa() {
        try (RegistryClient c = client().tlsVerify(false).build()) {
            c.pull(ImageRef.parse(tls.hostPort() + "/secure/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
        }
    }

    @Test
    void clientCertificateIsSentWhenTheRegistryRequiresOne() {
        try (RegistryClient c = client().certDir(caOnly).build()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(mtls.hostPort() + "/secure/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults()));
            assertTrue(e.getMessage().contains(mtls.hostPort()), e.getMessage());
            assertEquals(0, e.status());
        }
        try (RegistryClient c = client().certsDirs(List.of(certsD)).build()) {
            c.pull(ImageRef.parse(mtls.hostPort() + "/secure/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
        }
    }
}
