package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import oci.image.Descriptor;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import oci.testdata.registry.RegistryServer;
import oci.testdata.registry.Skopeo;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oci pull}, {@code oci login} and {@code oci logout} run in-process against real docker-registries on loopback. */
class PullCommandTest {
    static final String PASSWORD = "cli-Pa55-word";

    @TempDir
    static Path dir;

    static RegistryServer plain;
    static RegistryServer basic;
    static Descriptor pushed;

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        plain = RegistryServer.builder(dir.resolve("plain")).start();
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "carol:" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 5) + "\n");
        basic = RegistryServer.builder(dir.resolve("basic")).htpasswd(htpasswd).start();
        Path layout = dir.resolve("layout");
        pushed = TestImage.create().layer(Tar.build().dir("etc").file("etc/hello", "hi\n").bytes()).cmd("/bin/sh")
                .into(Store.open(layout), "img");
        Skopeo.copy("oci:" + layout + ":img", "docker://" + plain.hostPort() + "/cli/app:1", "--dest-tls-verify=false");
    }

    @AfterAll
    static void stop() {
        if (plain != null) plain.close();
        if (basic != null) basic.close();
    }

    Run oci(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void pullPrintsProgressLinesThenDigestImageIdAndName() {
        String ref = plain.hostPort() + "/cli/app:1";
        Run r = oci("--store", tmp.resolve("s").toString(), "pull", "--authfile", tmp.resolve("a.json").toString(), ref);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("Pulling " + ref), r.out());
        assertTrue(r.out().contains(": pulled "), r.out());
        assertEquals("Digest: " + pushed.digest(), lines.get(lines.size() - 3));
        // the image ID is the config's digest, as oci images shows it, not the manifest's
        String id = Store.open(tmp.resolve("s")).image(ref, oci.image.Platform.host()).manifest().config().digest().toString();
        assertEquals("Image ID: " + id, lines.get(lines.size() - 2));
        assertEquals(ref, lines.getLast());
        Run again = oci("--store", tmp.resolve("s").toString(), "pull", "--authfile", tmp.resolve("a.json").toString(), ref);
        assertTrue(again.out().contains(": already present"), again.out());
    }

    @Test
    void quietPrintsOnlyTheImageIdThatImagesShowsAndImageArgumentsTake() {
        String store = tmp.resolve("s").toString();
        Run r = oci("--store", store, "pull", "-q", "--authfile", tmp.resolve("a.json").toString(), plain.hostPort() + "/cli/app:1");
        assertEquals(0, r.code(), r.err());
        String id = r.out().strip();
        assertEquals(r.out(), id + "\n");
        assertTrue(id.startsWith("sha256:") && !id.equals(pushed.digest().toString()), id);
        Run images = oci("--store", store, "images");
        assertTrue(images.out().contains("   " + id.substring(7, 19) + "   "), images.out());
        Run inspect = oci("--store", store, "inspect", id.substring(7, 19));
        assertEquals(0, inspect.code(), inspect.err());
        Run json = oci("--store", store, "images", "--format", "json");
        assertTrue(json.out().contains(id), json.out()); // the config digest is nothing else there
    }

    @Test
    void missingTagIsOneLineOnStderrAndExitCode1() {
        Run r = oci("--store", tmp.resolve("s").toString(), "pull", "--authfile", tmp.resolve("a.json").toString(), plain.hostPort() + "/cli/app:nope");
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("oci: pull " + plain.hostPort() + "/cli/app:nope from "), r.err());
        assertTrue(r.err().contains("404 MANIFEST_UNKNOWN"), r.err());
    }

    @Test
    void loginSavesA0600FileLogoutRemovesItAndThePasswordIsNeverPrinted() throws Exception {
        Path auth = tmp.resolve("auth.json");
        InputStream stdin = System.in;
        Run bad;
        Run good;
        try {
            System.setIn(new ByteArrayInputStream("wrong-password\n".getBytes(StandardCharsets.UTF_8)));
            bad = oci("login", "--authfile", auth.toString(), "-u", "carol", "--password-stdin", basic.hostPort());
            assertFalse(Files.exists(auth), "a refused login saves nothing");
            System.setIn(new ByteArrayInputStream((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8)));
            good = oci("login", "--authfile", auth.toString(), "-u", "carol", "--password-stdin", basic.hostPort());
        } finally {
            System.setIn(stdin);
        }
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("401"), bad.err());
        assertFalse(bad.err().contains("wrong-password") || bad.out().contains("wrong-password"));
        assertEquals(0, good.code(), good.err());
        assertTrue(good.out().startsWith("Login Succeeded"), good.out());
        assertFalse(good.out().contains(PASSWORD) || good.err().contains(PASSWORD));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auth)));

        Run logout = oci("logout", "--authfile", auth.toString(), basic.hostPort());
        assertEquals(0, logout.code(), logout.err());
        assertEquals("Removed login credentials for " + basic.hostPort() + "\n", logout.out());
        assertFalse(Files.readString(auth).contains(basic.hostPort()));
    }
}
