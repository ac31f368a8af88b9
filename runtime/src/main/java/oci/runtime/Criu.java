package oci.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * runc's checkpoint and restore, which work through CRIU: this runtime does not drive CRIU, and
 * on these machines (Debian 12's criu 3.17 on a 6.x kernel) CRIU itself cannot start: `criu check`
 * fails while reading the vDSO. So both verbs are refused by name, with the reason this machine
 * gives: criu missing, `criu check` failing (its own words), or, where CRIU works, that oci does
 * not implement them. Nothing is pretended.
 */
public final class Criu {
    private Criu() {}

    /** The failure of checkpoint or restore ({@code verb}) of container {@code id} on this machine. */
    public static ContainerException refusal(String verb, String id) {
        return new ContainerException(verb + " container " + id + ": " + reason());
    }

    /** Why checkpoint/restore cannot run here. */
    static String reason() {
        Path criu = find();
        if (criu == null) return "checkpoint and restore need CRIU, and criu is not installed (Debian: apt-get install criu)";
        String check = check(criu);
        if (check != null) return "checkpoint and restore need CRIU, and it cannot work on this machine: `criu check` fails: " + check;
        return "checkpoint and restore through CRIU are not implemented by oci (criu check passes here; use runc for them)";
    }

    private static Path find() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, "criu");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** null when `criu check` passes, else its error messages (the first and the last: the cause and the outcome). */
    private static String check(Path criu) {
        try {
            Process p = new ProcessBuilder(criu.toString(), "check").redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "it did not finish in 30 s";
            }
            if (p.exitValue() == 0) return null;
            return summary(new String(out, StandardCharsets.UTF_8), p.exitValue());
        } catch (IOException e) {
            return "it could not be run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" lines to their messages. */
    static String summary(String output, int exit) {
        List<String> msgs = new ArrayList<>();
        for (String part : output.split("(?=Error \\()|\n")) {
            String m = part.replaceFirst("^Error \\([^)]*\\):\\s*", "").strip();
            if (!m.isEmpty() && part.startsWith("Error (") && !msgs.contains(m)) msgs.add(m);
        }
        if (msgs.isEmpty()) {
            String last = output.strip().lines().reduce((a, b) -> b).orElse("");
            return last.isEmpty() ? "exit status " + exit : last;
        }
        return msgs.size() == 1 ? msgs.get(0) : msgs.get(0) + " ... " + msgs.get(msgs.size() - 1);
    }
}
