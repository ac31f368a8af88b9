package oci.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.bundle.spec.RuntimeSpec;

/**
 * Runs the hooks the runtime itself starts (prestart, createRuntime, poststart, poststop), each
 * with the container's state JSON on stdin, its own args and env, and its timeout
 * (runtime-spec config.md "POSIX-platform Hooks"; runtime.md "Lifecycle").
 * createContainer and startContainer run inside the container and are done by the init.
 */
final class Hooks {
    private Hooks() {}

    static void check(RuntimeSpec.Hook h, String phase) {
        if (h.path == null || !h.path.startsWith("/")) throw new ContainerException("hooks." + phase + ": path \"" + h.path + "\" is not absolute");
        if (h.timeout != null && h.timeout <= 0) throw new ContainerException("hooks." + phase + " " + h.path + ": timeout must be positive");
    }

    /** Runs each hook in order; the first failure stops the list and is thrown. */
    static void run(List<RuntimeSpec.Hook> hooks, String phase, byte[] state) {
        if (hooks == null) return;
        for (RuntimeSpec.Hook h : hooks) {
            check(h, phase);
            if (!Files.isExecutable(Path.of(h.path))) throw new ContainerException("run " + phase + " hook " + h.path + ": not an executable file");
            List<String> cmd = new ArrayList<>();
            cmd.add(h.path);
            // args[0] is the hook's argv[0]; ProcessBuilder cannot set argv[0] apart from the path.
            if (h.args != null && h.args.size() > 1) cmd.addAll(h.args.subList(1, h.args.size()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().clear();
            for (String e : h.env == null ? List.<String>of() : h.env) {
                int eq = e.indexOf('=');
                if (eq > 0) pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
            try {
                Process p = pb.start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(state);
                } catch (IOException ignored) {
                    // a hook need not read its stdin
                }
                boolean done = h.timeout == null ? p.waitFor() >= Integer.MIN_VALUE : p.waitFor(h.timeout, TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                    throw new ContainerException("run " + phase + " hook " + h.path + ": timed out after " + h.timeout + "s");
                }
                if (p.exitValue() != 0) throw new ContainerException("run " + phase + " hook " + h.path + ": exit status " + p.exitValue());
            } catch (IOException e) {
                throw new ContainerException("run " + phase + " hook " + h.path + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerException("run " + phase + " hook " + h.path + ": interrupted");
            }
        }
    }
}
