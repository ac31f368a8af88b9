package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Main registers only the verb it is given; help, the version and mistakes still see every subcommand. */
class MainTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void theTableNamesEachClassAsItsAnnotationDoes() {
        for (Map.Entry<String, Class<?>> e : Main.subcommands()) {
            assertEquals(e.getKey(), e.getValue().getAnnotation(CommandLine.Command.class).name(), e.getValue().getName());
        }
    }

    @Test
    void theVerbIsFoundAfterGlobalOptionsInEitherForm() {
        assertEquals(RunCommand.class, Main.verb(new String[] {"run", "-b", "x"}));
        assertEquals(RunCommand.class, Main.verb(new String[] {"--root", "/r", "--debug", "--log=/l", "--log-format", "json", "run"}));
        assertEquals(StateCommand.class, Main.verb(new String[] {"--store=/s", "--systemd-cgroup", "state", "c"}));
        assertEquals(ExecCommand.class, Main.verb(new String[] {"exec", "c", "help"}));
    }

    @Test
    void helpVersionAndUnknownWordsGetEverySubcommand() {
        assertNull(Main.verb(new String[] {}));
        assertNull(Main.verb(new String[] {"help", "run"}));
        assertNull(Main.verb(new String[] {"--help", "run"}));
        assertNull(Main.verb(new String[] {"-V"}));
        assertNull(Main.verb(new String[] {"--bogus", "run"}));
        assertNull(Main.verb(new String[] {"rn"}));
        assertNull(Main.verb(new String[] {"--root"}));
    }

    @Test
    void usageListsEverySubcommandAndMistakesGetSuggestions() {
        String[] help = run("--help");
        assertEquals("0", help[0]);
        for (Map.Entry<String, Class<?>> e : Main.subcommands()) assertTrue(help[1].contains("  " + e.getKey() + " "), e.getKey() + " in\n" + help[1]);
        String[] typo = run("--root", "/nonexistent", "stat");
        assertEquals("2", typo[0]);
        assertTrue(typo[2].contains("did you mean") && typo[2].contains("state"), typo[2]);
        String[] dup = run("--root", "/a", "--root", "/b", "state", "c");
        assertEquals("2", dup[0]);
        assertTrue(dup[2].contains("should be specified only once") && dup[2].lines().count() == 1, dup[2]);
        String[] sub = run("help", "run");
        assertEquals("0", sub[0]);
        assertTrue(sub[1].contains("Usage: oci run"), sub[1]);
    }

    @Test
    void globalOptionsWorkAfterTheVerbToo() {
        String[] before = run("--root", "/nonexistent-oci-root", "--log-format", "json", "state", "nosuch");
        String[] after = run("state", "--root", "/nonexistent-oci-root", "--log-format=json", "nosuch");
        assertEquals(before[0], after[0]);
        assertEquals(before[2], after[2]);
        assertTrue(before[2].contains("nosuch"), before[2]);
    }

    private static String fields(RunCommand r) {
        RuntimeOptions o = r.main.runtime;
        return String.join("|", String.valueOf(r.bundle), String.valueOf(r.detach), String.valueOf(r.rm), String.valueOf(r.pidFile),
                String.valueOf(r.consoleSocket), String.valueOf(r.noPivot), String.valueOf(r.id), String.valueOf(r.main.store),
                String.valueOf(o.root), String.valueOf(o.log), String.valueOf(o.logFormat), String.valueOf(o.debug), String.valueOf(o.systemdCgroup));
    }

    private static RunCommand picocli(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("run", RunCommand.class);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return (RunCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void theFastRunParserReadsWhatPicocliReads() {
        String[][] lines = {
            {"run", "c1"},
            {"run"},
            {"--root", "/r", "run", "--rm", "-b", "/b", "c1"},
            {"run", "c1", "--bundle", "/b", "-d", "--pid-file", "/p"},
            {"--debug", "--log=/l", "--log-format", "json", "run", "--bundle=/b", "--console-socket", "/s", "c1"},
            {"run", "--root=/r", "--store", "/st", "--systemd-cgroup", "--no-pivot", "--detach", "run"},
            {"--log-format=text", "run", "--pid-file=/p", "c 1"},
        };
        for (String[] l : lines) {
            RunCommand fast = FastRun.parse(l);
            assertTrue(fast != null, String.join(" ", l));
            assertEquals(fields(picocli(l)), fields(fast), String.join(" ", l));
        }
    }

    @Test
    void theFastRunParserLeavesEverythingElseToPicocli() {
        String[][] lines = {
            {"run", "-h"}, {"run", "--help"}, {"-V", "run"}, {"run", "-bx"}, {"run", "-b", "-x"}, {"run", "-b"},
            {"--log-format", "JSON", "run"}, {"run", "a", "b"}, {"run", "--rm", "--rm"}, {"run", "--", "c"},
            {"run", "@args"}, {"--root", "/x", "--root", "/y", "run"}, {"--rm", "run"}, {"run", "--rm=true"},
            {"run", "--bogus"}, {"run", "-dx"}, {"state", "c"}, {"run", "--root", ""}, {"run", "--bundle", "a\0b"},
        };
        for (String[] l : lines) assertNull(FastRun.parse(l), String.join(" ", l));
    }

    private static CreateCommand picocliCreate(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("create", CreateCommand.class);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return (CreateCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private static String fields(CreateCommand c) {
        RuntimeOptions o = c.main.runtime;
        return String.join("|", c.id, String.valueOf(c.bundle), String.valueOf(c.pidFile), String.valueOf(c.consoleSocket),
                String.valueOf(c.noPivot), String.valueOf(c.noNewKeyring), String.valueOf(o.root), String.valueOf(o.log),
                String.valueOf(o.logFormat), String.valueOf(o.debug), String.valueOf(o.systemdCgroup));
    }

    @Test
    void theFastCreateParserReadsWhatPicocliReads() {
        String[][] lines = {
            {"create", "c1"},
            {"--root", "/r", "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "--pid-file", "/p", "c1"},
            {"--root", "/r", "--log", "/l", "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/p",
                "--console-socket", "/s", "c1"},
            {"create", "-b", "/b", "--no-pivot", "--no-new-keyring", "c1"},
            {"--debug", "create", "c1", "--bundle=/b"},
        };
        for (String[] l : lines) {
            CreateCommand fast = FastRun.parseCreate(l);
            assertTrue(fast != null, String.join(" ", l));
            assertEquals(fields(picocliCreate(l)), fields(fast), String.join(" ", l));
        }
        String[][] others = {{"create"}, {"create", "-h"}, {"create", "a", "b"}, {"create", "-d", "c"}, {"create", "--rm", "c"}, {"run", "c"}};
        for (String[] l : others) assertNull(FastRun.parseCreate(l), String.join(" ", l));
    }

    @Test
    void aFailedFastRunReportsAsPicocliWould() {
        String[] fast = run("--root", "/nonexistent-oci-root", "run", "-b", "/nonexistent-bundle", "c1");
        assertEquals("1", fast[0]);
        assertTrue(fast[2].startsWith("oci: bundle /nonexistent-bundle does not exist"), fast[2]);
    }

    private static String fields(PullCommand p) {
        RuntimeOptions o = p.main.runtime;
        RegistryOptions r = p.registry;
        return String.join("|", p.image, String.valueOf(p.platform), String.valueOf(p.allPlatforms), String.valueOf(p.jobs), String.valueOf(p.quiet),
                String.valueOf(r.tlsVerify), String.valueOf(r.insecure), String.valueOf(r.authfile), String.valueOf(r.certDir),
                String.valueOf(r.registriesConf), String.valueOf(p.main.store), String.valueOf(o.root), String.valueOf(o.log),
                String.valueOf(o.logFormat), String.valueOf(o.debug), String.valueOf(o.systemdCgroup));
    }

    private static PullCommand picocliPull(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("pull", PullCommand.class);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return (PullCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void theFastPullParserReadsWhatPicocliReads() {
        String[][] lines = {
            {"pull", "busybox"},
            {"--store", "/st", "pull", "-q", "127.0.0.1:5000/a/b:1"},
            {"pull", "busybox", "--platform", "linux/arm64", "-j", "6", "--quiet"},
            {"--store=/st", "pull", "--jobs=2", "--all-platforms", "--tls-verify=false", "ghcr.io/o/app@sha256:" + "a".repeat(64)},
            {"pull", "--tls-verify=true", "--insecure", "--authfile", "/a.json", "--cert-dir=/c", "--registries-conf", "/r.json", "x"},
            {"--debug", "--log-format=json", "pull", "--root", "/r", "--log", "/l", "--systemd-cgroup", "busybox:1.36"},
        };
        for (String[] l : lines) {
            PullCommand fast = FastPull.parse(l);
            assertTrue(fast != null, String.join(" ", l));
            assertEquals(fields(picocliPull(l)), fields(fast), String.join(" ", l));
        }
    }

    @Test
    void theFastPullParserLeavesEverythingElseToPicocli() {
        String[][] lines = {
            {"pull"}, {"pull", "-h"}, {"pull", "--help"}, {"pull", "a", "b"}, {"pull", "-qj3", "a"}, {"pull", "-j3", "a"},
            {"pull", "-j", "x", "a"}, {"pull", "-j", "-1", "a"}, {"pull", "--jobs", "99999999", "a"}, {"pull", "--tls-verify", "a"},
            {"pull", "--tls-verify", "false", "a"}, {"pull", "--tls-verify=no", "a"}, {"pull", "-q", "-q", "a"}, {"pull", "--", "a"},
            {"pull", "@args"}, {"-q", "pull", "a"}, {"pull", "--bogus", "a"}, {"pull", "--platform", "a"}, {"run", "a"},
            {"pull", "--store", "", "a"}, {"pull", "--log-format", "JSON", "a"}, {"pull", "a", "--authfile", "a\0b"},
        };
        for (String[] l : lines) assertNull(FastPull.parse(l), String.join(" ", l));
    }

    @Test
    void aFailedFastPullReportsAsPicocliWould(@TempDir Path dir) {
        // port 1 on loopback: nothing listens, the connection is refused at once
        String store = dir.resolve("store").toString();
        String[] fast = run("--store", store, "pull", "-q", "127.0.0.1:1/no/such:1");
        String[] slow = run("--store", store, "pull", "-qj3", "127.0.0.1:1/no/such:1");
        assertEquals("1", fast[0]);
        assertEquals(slow[0], fast[0]);
        assertEquals(slow[2], fast[2]);
        assertTrue(fast[2].startsWith("oci: "), fast[2]);
    }

    /** The fields the command line sets, global ones included, of a command FastQuery or picocli parsed. */
    private static String queryFields(Object c) {
        Main m = null;
        String own;
        if (c instanceof ImagesCommand i) {
            m = i.main;
            own = String.valueOf(i.format);
        } else if (c instanceof InspectCommand i) {
            m = i.main;
            own = String.join("|", i.image, String.valueOf(i.manifest), String.valueOf(i.raw), String.valueOf(i.platform));
        } else if (c instanceof ListCommand l) {
            m = l.main;
            own = l.format + "|" + l.quiet;
        } else if (c instanceof SpecCommand s) {
            own = s.rootless + "|" + s.bundle;
        } else {
            own = String.valueOf(((ValidateCommand) c).bundle);
        }
        if (m == null) return c.getClass().getSimpleName() + "|" + own;
        return fields(c, own, m);
    }

    /** A command's own fields ({@code own}) with the global options it was given, as one comparable line. */
    private static String fields(Object c, String own, Main m) {
        RuntimeOptions o = m.runtime;
        return String.join("|", c.getClass().getSimpleName(), own, String.valueOf(m.store), String.valueOf(o.root), String.valueOf(o.log),
                String.valueOf(o.logFormat), String.valueOf(o.debug), String.valueOf(o.systemdCgroup));
    }

    /** picocli's reading of {@code args}, with only {@code verbs} as subcommands (exec stops at its first positional, as Main sets it). */
    private static Object picocli(String[] verbs, String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (String verb : verbs) {
            for (Map.Entry<String, Class<?>> e : Main.subcommands()) if (e.getKey().equals(verb)) cl.addSubcommand(verb, e.getValue());
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        if (cl.getSubcommands().containsKey("exec")) cl.getSubcommands().get("exec").setStopAtPositional(true);
        return cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private static Object picocliQuery(String... args) {
        return picocli(new String[] {"images", "inspect", "list", "spec", "validate"}, args);
    }

    @Test
    void theFastQueryParserReadsWhatPicocliReads() {
        String[][] lines = {
            {"images"}, {"--store", "/st", "images"}, {"images", "--format", "json"}, {"images", "--format=table", "--store=/st"},
            {"inspect", "busybox"}, {"--store", "/st", "inspect", "--manifest", "--raw", "sha256:abc"},
            {"inspect", "--platform", "linux/arm64", "ghcr.io/o/app:1", "--manifest"}, {"inspect", "--platform=linux/amd64/v2", "images"},
            {"list"}, {"--root", "/r", "list"}, {"list", "-q"}, {"list", "-f", "json"}, {"--debug", "--log-format=json", "list", "--format=table", "--quiet"},
            {"list", "--root=/r", "--systemd-cgroup"},
            {"spec"}, {"spec", "-b", "/b"}, {"spec", "--rootless", "--bundle=/b"}, {"--log", "/l", "spec", "--bundle", "b c"},
            {"validate"}, {"validate", "/b"}, {"--store", "/st", "validate", "b"}, {"validate", "validate"},
        };
        for (String[] l : lines) {
            PlainCommandLine.Parsed fast = FastQuery.parse(l);
            assertTrue(fast != null, String.join(" ", l));
            assertEquals(queryFields(picocliQuery(l)), queryFields(fast.command()), String.join(" ", l));
        }
    }

    @Test
    void theFastQueryParserLeavesEverythingElseToPicocli() {
        String[][] lines = {
            {"images", "-h"}, {"images", "--help"}, {"images", "x"}, {"images", "--format", "JSON"}, {"images", "--format", "yaml"},
            {"images", "--format"}, {"images", "--format", "json", "--format", "json"}, {"-V", "images"}, {"images", "--", "x"},
            {"inspect"}, {"inspect", "a", "b"}, {"inspect", "--platform", "a"}, {"inspect", "--bogus", "a"}, {"inspect", "@args"},
            {"inspect", "--raw", "--raw", "a"}, {"list", "-qf", "json"}, {"list", "-fjson"}, {"list", "x"}, {"list", "--format", "Json"},
            {"spec", "-b"}, {"spec", "x"}, {"spec", "-b", ""}, {"spec", "--bundle", "a\0b"}, {"validate", "a", "b"}, {"validate", "-h"},
            {"validate", "a\0b"}, {"--store", "", "images"}, {"--log-format", "JSON", "list"}, {"help", "images"}, {"tag", "a", "b"},
            {"--store"}, {},
        };
        for (String[] l : lines) assertNull(FastQuery.parse(l), String.join(" ", l));
    }

    @Test
    void aFailedFastQueryReportsAsPicocliWould(@TempDir Path dir) {
        String store = dir.resolve("store").toString();
        String[] fast = run("--store", store, "inspect", "nothere");
        String[] slow = run("--store", store, "inspect", "--", "nothere");
        assertEquals("1", fast[0]);
        assertEquals(slow[0], fast[0]);
        assertEquals(slow[2], fast[2]);
        String[] invalid = run("validate", dir.toString());
        String[] invalidSlow = run("validate", "--", dir.toString());
        assertEquals(invalidSlow[0], invalid[0]);
        assertEquals(invalidSlow[1], invalid[1]);
        assertEquals(invalidSlow[2], invalid[2]);
        assertTrue(invalid[2].startsWith("oci: "), invalid[2]);
    }

    /** The fields the command line sets, global ones included, of a runtime command FastRuntime or picocli parsed. */
    private static String runtimeFields(Object c) {
        Main m;
        String own;
        if (c instanceof ExecCommand e) {
            m = e.main;
            own = String.join("|", e.id, String.valueOf(e.command), String.valueOf(e.detach), String.valueOf(e.tty), String.valueOf(e.env),
                    String.valueOf(e.cwd), String.valueOf(e.user), String.valueOf(e.processFile), String.valueOf(e.pidFile),
                    String.valueOf(e.consoleSocket));
        } else if (c instanceof StartCommand s) {
            m = s.main;
            own = s.id;
        } else if (c instanceof StateCommand s) {
            m = s.main;
            own = s.id;
        } else if (c instanceof KillCommand k) {
            m = k.main;
            own = String.join("|", k.id, k.signal, String.valueOf(k.all));
        } else {
            DeleteCommand d = (DeleteCommand) c;
            m = d.main;
            own = d.id + "|" + d.force;
        }
        return fields(c, own, m);
    }

    private static Object picocliRuntime(String... args) {
        return picocli(new String[] {"exec", "start", "state", "kill", "delete"}, args);
    }

    @Test
    void theFastRuntimeParserReadsWhatPicocliReads() {
        String[][] lines = {
            // containerd's shim and conmon
            {"--root", "/r", "--log", "/l", "--log-format", "json", "exec", "--process", "/p.json", "--detach", "--pid-file", "/pid", "c1"},
            {"--root", "/r", "--log", "/l", "--log-format", "json", "exec", "--process", "/p.json", "--detach", "--pid-file", "/pid",
                "--console-socket", "/s", "c1"},
            {"--root=/r", "exec", "-d", "--pid-file=/pid", "-p", "/p.json", "--systemd-cgroup", "c1"},
            // scripts: what follows the id is the command, options and all
            {"exec", "c1", "true"}, {"exec", "c1"}, {"exec", "c1", "sh", "-c", "echo -n x; ls --all"},
            {"exec", "-t", "-e", "A=1", "--env", "B=2", "-e", "A=3", "--env=C=x=y", "--cwd", "/tmp", "-u", "1000:1000", "c1", "id", "-u"},
            {"exec", "--tty", "--user=0", "--cwd=/", "c1", "ls", "--root", "/r", "-e", "X", "c1", "exec"},
            {"--debug", "exec", "c1", "-d"}, {"exec", "exec", "exec"}, {"exec", "c1", "--help"}, {"exec", "c1", "-h", "-V"},
            {"start", "c1"}, {"--root", "/r", "--log", "/l", "--log-format", "json", "start", "c1"}, {"start", "c1", "--root=/r"},
            {"state", "c1"}, {"--root", "/r", "state", "c1"}, {"state", "--debug", "c1", "--log", "/l"}, {"state", "state"},
            {"kill", "c1"}, {"kill", "c1", "KILL"}, {"kill", "c1", "9"}, {"kill", "-a", "c1", "SIGTERM"}, {"kill", "c1", "--all", "nosuchsig"},
            {"--root", "/r", "--log", "/l", "--log-format", "json", "kill", "--all", "c1", "15"},
            {"delete", "c1"}, {"delete", "-f", "c1"}, {"--root", "/r", "delete", "c1", "--force"}, {"delete", "--log-format=text", "c1"},
        };
        for (String[] l : lines) {
            PlainCommandLine.Parsed fast = FastRuntime.parse(l);
            assertTrue(fast != null, String.join(" ", l));
            assertEquals(runtimeFields(picocliRuntime(l)), runtimeFields(fast.command()), String.join(" ", l));
        }
    }

    @Test
    void theFastRuntimeParserLeavesEverythingElseToPicocli() {
        String[][] lines = {
            {"exec"}, {"exec", "-h", "c1"}, {"exec", "--help"}, {"exec", "-dt", "c1", "true"}, {"exec", "-ec=1", "c1", "true"},
            {"exec", "-d", "-d", "c1"}, {"exec", "--bogus", "c1", "true"}, {"exec", "--process", "c1"}, {"exec", "--cwd", "-x", "c1"},
            {"exec", "c1", "--", "ls"}, {"exec", "--", "c1", "ls"}, {"exec", "c1", "@args"}, {"exec", "c1", ""}, {"exec", "--pid-file"},
            {"exec", "--process", "a\0b", "c1"}, {"exec", "--root", "", "c1"}, {"--log-format", "JSON", "exec", "c1", "true"},
            {"-d", "exec", "c1"}, {"exec", "--tty=true", "c1"},
            {"start"}, {"start", "a", "b"}, {"start", "-h", "c1"}, {"start", "--bogus", "c1"}, {"start", "--", "c1"},
            {"state"}, {"state", "a", "b"}, {"state", "--help"}, {"state", "@c1"},
            {"kill"}, {"kill", "c1", "TERM", "x"}, {"kill", "c1", "-9"}, {"kill", "-a", "-a", "c1"}, {"kill", "--al", "c1"}, {"kill", "-aV", "c1"},
            {"delete"}, {"delete", "a", "b"}, {"delete", "-ff", "c1"}, {"delete", "--force=true", "c1"}, {"delete", "-V"},
            {"help", "exec"}, {"run", "c1"}, {"pause", "c1"}, {},
        };
        for (String[] l : lines) assertNull(FastRuntime.parse(l), String.join(" ", l));
    }

    @Test
    void aFailedFastRuntimeVerbReportsAsPicocliWould(@TempDir Path dir) throws Exception {
        String root = dir.resolve("state").toString();
        String missing = dir.resolve("missing.json").toString();
        // each line as the fast parser reads it, and a spelling only picocli reads ("--" before the id)
        String[][][] pairs = {
            {{"--root", root, "state", "nosuch"}, {"--root", root, "state", "--", "nosuch"}},
            {{"--root", root, "start", "nosuch"}, {"--root", root, "start", "--", "nosuch"}},
            {{"--root", root, "kill", "nosuch", "KILL"}, {"--root", root, "kill", "--", "nosuch", "KILL"}},
            {{"--root", root, "kill", "nosuch", "NOSUCHSIG"}, {"--root", root, "kill", "--", "nosuch", "NOSUCHSIG"}},
            {{"--root", root, "delete", "nosuch"}, {"--root", root, "delete", "--", "nosuch"}},
            {{"--root", root, "exec", "nosuch", "true"}, {"--root", root, "exec", "--", "nosuch", "true"}},
            {{"--root", root, "exec", "-d", "--process", missing, "nosuch"}, {"--root", root, "exec", "-d", "--process", missing, "--", "nosuch"}},
            {{"--root", root, "exec", "nosuch"}, {"--root", root, "exec", "--", "nosuch"}},
        };
        for (String[][] p : pairs) {
            assertTrue(FastRuntime.parse(p[0]) != null && FastRuntime.parse(p[1]) == null, String.join(" ", p[0]));
            String[] fast = run(p[0]);
            String[] slow = run(p[1]);
            assertEquals(String.join("\n", slow), String.join("\n", fast), String.join(" ", p[0]));
            assertTrue(!fast[0].equals("0") && fast[2].startsWith("oci: "), String.join(" ", p[0]) + ": " + fast[2]);
        }
    }

    @Test
    void theVersionNamesThisJavaAsRuntimeVersionDoes() {
        String[] v = run("--version");
        assertEquals("0", v[0]);
        assertTrue(v[1].endsWith("java " + Runtime.version() + System.lineSeparator()), v[1]);
    }
}
