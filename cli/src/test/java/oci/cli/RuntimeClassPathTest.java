package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher starts the runtime's verbs from oci-cli-runtime.jar, whose class path leaves out the
 * libraries in src/main/build/runtime-classpath-exclude. A class of theirs needed on any path of
 * those verbs would be a NoClassDefFoundError there, on the odd paths most of all: picocli's usage
 * message reflects over every command class. Each row runs {@code oci} in a JVM of its own, on this
 * test's class path without those libraries, and expects the verb's usual ending. Pulls likewise
 * start from oci-cli-pull.jar, without the libraries in src/main/build/pull-classpath-exclude.
 */
class RuntimeClassPathTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("create with an unknown option (usage, all commands)", List.of("create", "--bogus", "x"), 2),
                Arguments.of("create without a value", List.of("create", "--bundle"), 2),
                Arguments.of("run with an unknown option", List.of("run", "--bogus"), 2),
                Arguments.of("state without an id", List.of("state"), 2),
                Arguments.of("kill with a misspelt option", List.of("kill", "--al", "x"), 2),
                Arguments.of("delete with an unknown option", List.of("delete", "--bogus", "x"), 2),
                Arguments.of("create of a missing bundle", List.of("create", "-b", "/nonexistent", "x"), 1),
                Arguments.of("run of a missing bundle", List.of("run", "-b", "/nonexistent", "x"), 1),
                Arguments.of("start of a missing container", List.of("start", "x"), 1),
                Arguments.of("state of a missing container", List.of("state", "x"), 1),
                Arguments.of("kill of a missing container", List.of("kill", "x", "KILL"), 1),
                Arguments.of("kill with an unknown signal", List.of("kill", "x", "NOSUCHSIG"), 2),
                Arguments.of("delete of a missing container", List.of("delete", "x"), 1),
                Arguments.of("exec with an unknown option", List.of("exec", "--bogus", "x", "true"), 2),
                Arguments.of("exec in a missing container", List.of("exec", "x", "true"), 1),
                Arguments.of("exec of a missing process file", List.of("exec", "-d", "--process", "/nonexistent.json", "x"), 1),
                Arguments.of("pause of a missing container", List.of("pause", "x"), 1),
                Arguments.of("resume of a missing container", List.of("resume", "x"), 1),
                Arguments.of("features", List.of("features"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void runsWithoutTheExcludedLibraries(String name, List<String> args, int expected) throws Exception {
        List<String> line = new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        line.addAll(args);
        runWithout("src/main/build/runtime-classpath-exclude", line, expected);
    }

    static Stream<Arguments> pullLines() {
        return Stream.of(
                Arguments.of("pull with an unknown option (usage, all commands)", List.of("pull", "--bogus", "x"), 2),
                Arguments.of("pull without an image", List.of("pull"), 2),
                Arguments.of("pull with a bad platform", List.of("pull", "--platform", "/", "127.0.0.1:1/a/b:1"), 1),
                Arguments.of("pull of a bad reference", List.of("pull", "127.0.0.1:1/A/../b"), 1),
                Arguments.of("pull from a registry that does not answer", List.of("pull", "127.0.0.1:1/a/b:1"), 1),
                // its TLS set-up reads the client key: Bouncy Castle from a class loader of its own (here the
                // registry classes are a directory, with no jars beside: one line says that it is missing)
                Arguments.of("pull with a client certificate", List.of("pull", "--cert-dir", "CERTS", "127.0.0.1:1/a/b:1"), 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pullLines")
    void pullRunsWithoutItsExcludedLibraries(String name, List<String> args, int expected) throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        clientCertificate(certs);
        List<String> line = new ArrayList<>(List.of("--store", tmp.resolve("store").toString()));
        for (String a : args) line.add(a.equals("CERTS") ? certs.toString() : a);
        runWithout("src/main/build/pull-classpath-exclude", line, expected);
    }

    private void runWithout(String excludeFile, List<String> args, int expected) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPathWithout(excludeFile), "oci.cli.Main"));
        cmd.addAll(args);
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "oci " + String.join(" ", args) + " did not end");
        String stderr = Files.readString(err);
        assertFalse(stderr.contains("NoClassDefFoundError") || stderr.contains("ClassNotFoundException"), stderr);
        assertEquals(expected, p.exitValue(), stderr);
        if (expected != 0) assertTrue(stderr.startsWith("oci: "), stderr);
    }

    /** A self-signed client certificate and its SEC1 key ("EC PRIVATE KEY", which only Bouncy Castle reads) in {@code dir}. */
    private static void clientCertificate(Path dir) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        java.security.KeyPair keys = g.generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=oci test client");
        java.time.Instant now = java.time.Instant.now();
        var cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE, java.util.Date.from(now.minusSeconds(3600)),
                        java.util.Date.from(now.plusSeconds(86400)), name, keys.getPublic())
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        for (var f : List.of(Map.entry("client.cert", (Object) cert), Map.entry("client.key", (Object) keys.getPrivate()))) {
            java.io.StringWriter pem = new java.io.StringWriter();
            try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(pem)) {
                w.writeObject(f.getValue());
            }
            Files.writeString(dir.resolve(f.getKey()), pem.toString());
        }
        assertTrue(Files.readString(dir.resolve("client.key")).contains("BEGIN EC PRIVATE KEY"));
    }

    /** This test's class path without the entries that {@code excludeFile} lists. */
    private static String classPathWithout(String excludeFile) throws Exception {
        List<String> prefixes = Files.readAllLines(Path.of(excludeFile)).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertFalse(prefixes.isEmpty());
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            if (prefixes.stream().noneMatch(file::startsWith)) kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }
}
