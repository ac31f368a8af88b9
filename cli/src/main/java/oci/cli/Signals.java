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
            Object sig = Sun.NEW_SIGNAL.invoke(name);
            Sun.HANDLE.invoke(sig, Sun.HANDLER.invoke(handler));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot handle signal " + name + ": " + e, e);
        }
    }

    /**
     * sun.misc.Signal's constructor and handle method, and a factory of SignalHandlers calling
     * onSignal, found once: each metafactory call spins a class, and `oci run` handles seven
     * signals between its create and its start (~3 ms in all there, one class now).
     */
    private static final class Sun {
        static final MethodHandle NEW_SIGNAL, HANDLE, HANDLER;

        static {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> signalHandler = Class.forName("sun.misc.SignalHandler");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                NEW_SIGNAL = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
                // What `sig -> handler.run()` compiles to, spelled out: a SignalHandler calling onSignal.
                MethodHandle onSignal = lookup.findStatic(Signals.class, "onSignal", MethodType.methodType(void.class, Runnable.class, Object.class));
                HANDLER = LambdaMetafactory.metafactory(lookup, "handle", MethodType.methodType(signalHandler, Runnable.class),
                        MethodType.methodType(void.class, signal), onSignal, MethodType.methodType(void.class, signal)).getTarget();
                HANDLE = lookup.findStatic(signal, "handle", MethodType.methodType(signalHandler, signal, signalHandler));
            } catch (ReflectiveOperationException | java.lang.invoke.LambdaConversionException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static void onSignal(Runnable handler, Object signal) {
        handler.run();
    }

    /** Whether {@code s} is ASCII digits only, and some (no regex: compiling one costs start-up time). */
    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return !s.isEmpty();
    }

    /** "TERM", "SIGTERM", "sigterm", "15", "RTMIN+2" to a number. */
    static int parse(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.startsWith("SIG")) u = u.substring(3);
        if (digits(u)) {
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
