package oci.cli;

import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers (signal(7), x86_64/aarch64 numbering). */
final class Signals {
    private Signals() {}

    static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** "TERM", "SIGTERM", "sigterm", "15", "RTMIN+2" to a number. */
    static int parse(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.startsWith("SIG")) u = u.substring(3);
        if (u.matches("[0-9]+")) {
            int n = Integer.parseInt(u);
            if (n >= 1 && n <= 64) return n;
        } else if (u.equals("IOT")) {
            return 6;
        } else if (u.startsWith("RTMIN") || u.startsWith("RTMAX")) {
            int base = u.startsWith("RTMIN") ? 34 : 64;
            String rest = u.substring(5);
            int off = rest.isEmpty() ? 0 : Integer.parseInt(rest);
            int n = base + off;
            if (n >= 34 && n <= 64) return n;
        } else {
            int i = NAMES.indexOf(u);
            if (i > 0) return i;
        }
        throw new OciException("unknown signal \"" + s + "\"", Main.EXIT_USAGE);
    }
}
