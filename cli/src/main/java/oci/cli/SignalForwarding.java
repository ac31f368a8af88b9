package oci.cli;

import java.util.ArrayList;
import java.util.List;
import oci.runtime.Containers;

/**
 * The signals a foreground `oci run` or `oci exec` receives go to the container's process (a WINCH
 * to the terminal proxy, which resizes the pty), as runc's signal handler does, until that process
 * is reaped: it is our child till then, so its pid cannot name another process.
 *
 * <p>`oci run` has the handlers installed beside the init's start ({@link Containers#besideInitStart}),
 * where it waits for the init and a core is idle: setting them up costs ~3 ms of method handles
 * (sun.misc.Signal through {@link Signals#handle}), which the start used to wait for. A signal that
 * arrives before the user's program runs is kept and sent once it does, as runc's handler keeps what
 * it receives before the process starts (sent earlier, it reached the init waiting for the start,
 * and was lost).
 */
final class SignalForwarding {
    /** Forwarded to the container; the others keep their JVM meaning (QUIT: thread dump; USR1: reserved). */
    private static final String[] FORWARDED = {"INT", "TERM", "HUP", "USR2", "WINCH", "CONT", "ALRM"};

    /** Installs the handlers, once: on the caller's thread of choice ({@link #installer}), or in {@link #to}. */
    private final java.util.concurrent.FutureTask<Void> installer = new java.util.concurrent.FutureTask<>(this::install, null);
    /** Guarded by this: the process signals go to (null: not made yet), those kept meanwhile, and whether it was reaped. */
    private Containers.Created target;
    private final List<String> pending = new ArrayList<>();
    private boolean stopped;

    private SignalForwarding() {}

    /** Handlers not installed yet: {@link #installer} installs them, or {@link #to} does; signals are kept until {@link #to}. */
    static SignalForwarding prepare() {
        return new SignalForwarding();
    }

    /** What installs the handlers, for a thread that is idle while the container is made. */
    Runnable installer() {
        return installer;
    }

    private void install() {
        for (String s : FORWARDED) {
            try {
                Signals.handle(s, () -> received(s));
            } catch (IllegalArgumentException ignored) {
                // the JVM keeps this signal for itself
            }
        }
    }

    private void received(String signal) {
        Containers.Created c;
        synchronized (this) {
            if (stopped) return;
            c = target;
            if (c == null) {
                pending.add(signal);
                return;
            }
        }
        send(c, signal);
    }

    /** From now on signals go to {@code created}'s process, those kept first; returns once the handlers are installed. */
    void to(Containers.Created created) {
        installer.run(); // installs them unless done or under way
        try {
            Uninterruptibly.get(installer);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        synchronized (this) {
            target = created;
            for (String s : pending) send(created, s);
            pending.clear();
        }
    }

    /** The process was reaped: its pid may name another process from now on. */
    synchronized void stop() {
        stopped = true;
    }

    private static void send(Containers.Created created, String signal) {
        try {
            int n = Signals.parse(signal);
            if (signal.equals("WINCH")) {
                if (created.proxy() > 0) oci.linux.ProcessCalls.kill((int) created.proxy(), n);
            } else {
                oci.linux.ProcessCalls.kill((int) created.pid(), n);
            }
        } catch (RuntimeException | oci.linux.ErrnoException ignored) {
            // the process is gone: the wait returns soon
        }
    }
}
