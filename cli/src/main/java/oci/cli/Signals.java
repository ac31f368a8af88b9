package oci.cli;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Locale;

/** Linux signal names and numbers (signal(7), x86_64/aarch64 numbering). */
final class Signals {
    private Signals() {}

    static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /**
     * Runs {@code handler} whenever this process receives signal {@code name} ("TERM", "WINCH"...),
     * through sun.misc.Signal (module jdk.unsupported, kept by the JDK for exactly this: no public API
     * lets a JVM take a signal). It is reached through method handles because javac warns at every
     * direct use of that module and offers no way to suppress the warning.
     *
     * @throws IllegalArgumentException when the JVM keeps this signal for itself
     */
    static void handle(String name, Runnable handler) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> signalHandler = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Object sig = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class)).invoke(name);
            // What `sig -> handler.run()` compiles to, spelled out: a SignalHandler calling onSignal.
            MethodHandle onSignal = lookup.findStatic(Signals.class, "onSignal", MethodType.methodType(void.class, Runnable.class, Object.class));
            Object h = LambdaMetafactory.metafactory(lookup, "handle", MethodType.methodType(signalHandler, Runnable.class),
                    MethodType.methodType(void.class, signal), onSignal, MethodType.methodType(void.class, signal))
                    .getTarget().invoke(handler);
            lookup.findStatic(signal, "handle", MethodType.methodType(signalHandler, signal, signalHandler)).invoke(sig, h);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot handle signal " + name + ": " + e, e);
        }
    }

    private static void onSignal(Runnable handler, Object signal) {
        handler.run();
    }

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
