package oci.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Consumer;
import oci.runtime.Containers;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** runc's global options, shared by the runtime commands (create, start, state, kill, delete, run, list). */
final class RuntimeOptions {
    enum LogFormat { text, json }

    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Where container state is kept. Default: /run/oci for root, $XDG_RUNTIME_DIR/oci otherwise.")
    Path root;

    @Option(names = "--log", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Append the runtime's log (errors, and with --debug the timings) to FILE.")
    Path log;

    @Option(names = "--log-format", paramLabel = "FORMAT", scope = ScopeType.INHERIT,
            description = "Log format: ${COMPLETION-CANDIDATES}. Default: text.")
    LogFormat logFormat = LogFormat.text;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log debug lines: the timing of each step (and the init plan with OCI_DEBUG_PLAN=1).")
    boolean debug;

    @Option(names = "--systemd-cgroup", scope = ScopeType.INHERIT, hidden = true,
            description = "Accepted for runc compatibility; refused when set.")
    boolean systemdCgroup;

    Containers containers() {
        if (systemdCgroup) throw new OciException("--systemd-cgroup: systemd cgroup management is not implemented");
        return new Containers(root != null ? root : Containers.defaultRoot(), debug ? this::write : null);
    }

    /** Writes an error to the log too, as runc does, so callers that only read the log see it. */
    void error(String msg) {
        if (log != null) write("error", msg);
    }

    private void write(String msg) {
        if (log == null) {
            System.err.println("oci: debug: " + msg);
        } else {
            write("debug", msg);
        }
    }

    private void write(String level, String msg) {
        String line = logFormat == LogFormat.json
                ? "{\"level\":\"" + level + "\",\"msg\":" + quote(msg) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : Instant.now() + " " + level + " " + msg + "\n";
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("oci: write log " + log + ": " + e.getMessage());
        }
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
