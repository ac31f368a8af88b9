package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each container has a session keyring of its own (runc's `_ses.ID`), and `oci exec` joins that
 * one: neither sees its caller's keys or adds to them. The caller is keyring-probe.c, which makes
 * a session keyring with a user key in it and runs the runtime (a JVM of its own, {@link Child})
 * under it; the same program, static, looks from inside the container.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SessionKeyringTest {
    @TempDir
    static Path tmp;
    static Path probe, root;
    static TestBundle bundle, userns;
    static Runner runner;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        Path src = tmp.resolve("keyring-probe.c");
        try (var in = SessionKeyringTest.class.getResourceAsStream("keyring-probe.c")) {
            Files.write(src, in.readAllBytes());
        }
        probe = tmp.resolve("keyring-probe");
        assertEquals(0, new ProcessBuilder("gcc", "-O2", "-static", "-o", probe.toString(), src.toString()).inheritIO().start().waitFor());
        bundle = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")), "true");
        Files.copy(probe, bundle.dir.resolve("rootfs/bin/keyring-probe"));
        // Root inside is 100000 outside: an id of nobody's on this host.
        userns = TestBundle.createRootless(Files.createDirectories(tmp.resolve("userns")), 100000, 100000, "true");
        Files.copy(probe, userns.dir.resolve("rootfs/bin/keyring-probe"));
        RootlessContainerTest.openUp(tmp); // the rootfs is reached as 100000
        root = tmp.resolve("state");
        Files.createDirectories(tmp.resolve("io"));
        runner = new Runner(root, tmp.resolve("io"));
    }

    @BeforeEach
    void reset() throws Exception {
        bundle.restore();
        userns.restore();
    }

    /** `oci run` (create, start, wait, delete) or `oci exec`, in a JVM of its own; prints "exit N" or "error MESSAGE". */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Containers c = new Containers(Path.of(args[1]), null);
            if (args[0].equals("run-no-new-keyring")) c.keepCallersKeyring();
            try {
                Containers.Created created;
                if (args[0].equals("exec")) {
                    RuntimeSpec.Process p = c.process(args[2]);
                    p.args = List.of(args).subList(3, args.length);
                    created = c.exec(args[2], p, Containers.Stdio.inherit(), null, null, true);
                } else {
                    created = c.create(args[3], Path.of(args[2]), Containers.Stdio.inherit(), null, null, true);
                    c.start(args[3]);
                }
                int code = created.waitFor();
                if (!args[0].equals("exec")) c.delete(args[3], false);
                System.out.println("exit " + code);
            } catch (ContainerException e) {
                System.out.println("error " + e.getMessage());
            }
        }
    }

    /** The caller: a new session keyring holding "oci-caller-secret", then CHILD-ARGS in a JVM, wrapped in {@code wrap}. */
    static String asCaller(List<String> wrap, String... childArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(probe.toString(), "caller"));
        cmd.addAll(wrap);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        cmd.addAll(List.of(childArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    private static final Pattern SESSION = Pattern.compile("session (-?\\d+) (\\S+)\n");

    static String session(String out) {
        Matcher m = SESSION.matcher(out);
        assertTrue(m.find(), out);
        return m.group(1) + " " + m.group(2);
    }

    @Test
    void aContainerNeitherSeesNorAddsToItsCallersKeys() throws Exception {
        bundle.args("keyring-probe", "inside");
        String out = asCaller(List.of(), "run", root.toString(), bundle.dir.toString(), "k-run");
        assertTrue(out.contains("secret absent\n"), "the caller's key is not found inside: " + out);
        assertTrue(out.contains("add ok\n"), out);
        assertTrue(session(out).endsWith(" _ses.k-run"), "runc's name: " + out);
        assertTrue(out.contains("caller: container key absent\n"), "the key added inside is not in the caller's keyring: " + out);
        assertTrue(out.contains("caller: own secret found\n"), out);
        assertTrue(out.contains("exit 0\n"), out);
    }

    @Test
    void execJoinsTheContainersKeyringNotItsCallers() throws Exception {
        execJoins(bundle);
    }

    @Test
    void execJoinsTheContainersKeyringInAUserNamespaceToo() throws Exception {
        // There the exec joins as the keyring's owner (root of the namespace): it needs the owner's search right.
        execJoins(userns);
    }

    private static void execJoins(TestBundle b) throws Exception {
        b.sh("keyring-probe inside; exec sleep 30");
        String id = runner.newId("k");
        runner.containers.create(id, b.dir, runner.stdio(id), null, null);
        try {
            runner.containers.start(id);
            for (int i = 0; i < 500 && !runner.out(id).contains("session "); i++) Thread.sleep(10);
            String pid1 = session(runner.out(id));
            assertTrue(pid1.endsWith(" _ses." + id), runner.out(id));
            for (int round = 0; round < 2; round++) {
                String out = asCaller(List.of(), "exec", root.toString(), id, "keyring-probe", "inside");
                assertTrue(out.contains("secret absent\n"), "the exec's caller's key is not found: " + out);
                assertTrue(out.contains("caller: container key absent\n"), "nothing added to the exec's caller's keyring: " + out);
                assertEquals(pid1, session(out), "the exec is in the container's keyring: " + out);
                assertTrue(out.contains("exit 0\n"), out);
            }
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void noNewKeyringKeepsTheCallers() throws Exception {
        bundle.args("keyring-probe", "inside");
        String out = asCaller(List.of(), "run-no-new-keyring", root.toString(), bundle.dir.toString(), "k-keep");
        assertTrue(out.contains("secret found\n"), "runc's --no-new-keyring: " + out);
        assertTrue(out.contains("caller: container key found\n"), out);
        assertTrue(out.contains("exit 0\n"), out);
    }

    @Test
    void aRuntimeThatCanReachNoKeysRunsContainersAsBefore() throws Exception {
        // A seccomp filter on the runtime that fails every key call: the container inherits it, so
        // there is nothing to protect, and nothing to make.
        bundle.args("keyring-probe", "inside");
        String out = asCaller(List.of(probe.toString(), "deny", "keys"), "run", root.toString(), bundle.dir.toString(), "k-nokeys");
        assertTrue(out.contains("secret Operation not permitted\n") && out.contains("add Operation not permitted\n"), out);
        assertTrue(out.contains("caller: container key absent\n"), out);
        assertTrue(out.contains("exit 0\n"), out);
    }

    @Test
    void aJoinRefusedWhileOtherKeyCallsWorkFailsTheCreate() throws Exception {
        // keyctl denied but add_key allowed: the container could still add keys to its caller's keyring.
        for (String mode : List.of("keyctl", "join")) {
            String id = "k-deny-" + mode;
            String out = asCaller(List.of(probe.toString(), "deny", mode), "run", root.toString(), bundle.dir.toString(), id);
            assertTrue(out.contains("error create container " + id + ": join session keyring _ses." + id + ": EPERM"), out);
            assertFalse(Files.exists(root.resolve(id)), "nothing left: " + out);
        }
    }
}
