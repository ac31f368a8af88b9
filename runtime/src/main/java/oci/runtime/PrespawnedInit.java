package oci.runtime;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The native init that the launcher's front end (runtime/src/native/fastrun.c, prespawn) started
 * for this JVM before exec'ing it: it waits on a pipe for its plan's path. Adopting it spares the
 * create ProcessBuilder.start (jspawnhelper's double exec on the main thread, and the logger
 * lookup it makes, which scans the class path). The front end names it in {@link #ENV} as
 * "PID FD PATH": our child's pid, our end of its pipe, the init binary it runs.
 *
 * <p>The front end decides nothing: it is used only for the init {@link InitBinary#path} gives,
 * for a create whose stdio is inherited (as it was started with ours), and only once; otherwise
 * it is told to exit. An init never told anything exits when this JVM does (end of file).
 *
 * <p>As a {@link Process}: this JVM did not start it, so the JDK does not wait for it; its end is
 * seen in /proc (its state, and the status a zombie keeps there), without linking a native call
 * (a detached create links none). It stays a zombie until {@link #reap}ed by a foreground run,
 * which links wait4 anyway, or until this process exits (right after a detached create) and the
 * caller's subreaper, which inherits it, reaps it.
 */
final class PrespawnedInit extends Process {
    static final String ENV = "OCI_PRESPAWNED_INIT";
    private static final String AWAIT_PLAN = "--await-plan";

    private static final Object LOCK = new Object();
    private static boolean taken;

    private final long pid;
    /** Our end of its pipe. */
    private final String fd;

    private PrespawnedInit(long pid, String fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /** Whether the front end started an init for this JVM (not yet taken). */
    static boolean present() {
        synchronized (LOCK) {
            return !taken && System.getenv(ENV) != null;
        }
    }

    /**
     * The init started for us, if it runs {@code init} and stdio is ours ({@link #start} then gives
     * it its plan); otherwise null, and an init started for us is told to exit.
     */
    static PrespawnedInit claim(Path init, Containers.Stdio stdio) {
        String[] f = take();
        if (f == null) return null;
        // (Not the record's equals: its first call spins method handles, ~15 ms.)
        boolean inherited = stdio.in() == ProcessBuilder.Redirect.INHERIT && stdio.out() == ProcessBuilder.Redirect.INHERIT
                && stdio.err() == ProcessBuilder.Redirect.INHERIT;
        if (inherited && f[2].equals(init.toString())) return new PrespawnedInit(Long.parseLong(f[0]), f[1]);
        tell(f[1], "\n");
        return null;
    }

    /** Gives it the plan to run; false when it is gone (the create then starts an init itself). */
    boolean start(Path plan) {
        // A path it could not read as one line: sent away, as it reads up to PATH_MAX.
        String p = plan.toString();
        if (p.indexOf('\n') >= 0) {
            tell(fd, "\n");
            return false;
        }
        return tell(fd, p + "\n");
    }

    /** Writes {@code line} on our end of the init's pipe (reopened through /proc: FFM is not linked for this). */
    private static boolean tell(String fd, String line) {
        try (OutputStream out = new FileOutputStream("/proc/self/fd/" + fd)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            return false; // it is gone
        }
    }

    /**
     * {pid, fd, path} from {@link #ENV}, once; null when absent, taken, or not an init waiting on
     * a pipe of ours (a variable the caller set, or one left from elsewhere: nothing is written).
     */
    private static String[] take() {
        String v;
        synchronized (LOCK) {
            if (taken) return null;
            taken = true;
            v = System.getenv(ENV);
        }
        if (v == null) return null;
        String[] f = v.split(" ", 3);
        if (f.length != 3 || !isNumber(f[0]) || !isNumber(f[1]) || !waiting(Long.parseLong(f[0]), f[2])) return null;
        try {
            if (!Files.readSymbolicLink(Path.of("/proc/self/fd", f[1])).toString().startsWith("pipe:")) return null;
        } catch (IOException e) {
            return null;
        }
        return f;
    }

    /** 1-9 decimal digits (a loop: no lambda to spin on the create's path). */
    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    /** Our child, running {@code init} and waiting for its plan (not a child that failed to exec, or exited). */
    private static boolean waiting(long pid, String init) {
        try {
            String self = Files.readSymbolicLink(Path.of("/proc/self")).toString();
            String[] stat = statFields(pid);
            if (stat == null || !stat[1].equals(self) || stat[0].equals("Z")) return false;
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).equals(init + "\0" + AWAIT_PLAN + "\0");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** /proc/PID/stat from field 3 (state) on, split at spaces; null once the process is reaped. */
    private static String[] statFields(long pid) throws IOException {
        String s;
        try {
            s = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** Reaps it once it has exited (a foreground run: it would stay a zombie as long as the container runs). */
    void reap() {
        try {
            oci.linux.ProcessCalls.waitpid((int) pid, true);
        } catch (oci.linux.ErrnoException e) {
            // reaped already
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        try {
            String[] f = statFields(pid);
            return f != null && !f[0].equals("Z") && !f[0].equals("X");
        } catch (IOException e) {
            return false;
        }
    }

    /** As waitpid reports it in the process's exit_code field (proc(5), field 52): 128+N when killed by signal N. */
    @Override
    public int exitValue() {
        if (isAlive()) throw new IllegalThreadStateException("process " + pid + " has not exited");
        try {
            String[] f = statFields(pid);
            if (f == null || f.length < 50) return 255;
            int status = Integer.parseInt(f[49]);
            return (status & 0x7f) == 0 ? status >> 8 & 0xff : 128 + (status & 0x7f);
        } catch (IOException | RuntimeException e) {
            return 255;
        }
    }

    @Override
    public int waitFor() throws InterruptedException {
        while (isAlive()) Thread.sleep(0, 250_000);
        return exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        long end = System.nanoTime() + unit.toNanos(timeout);
        while (isAlive()) {
            if (System.nanoTime() - end >= 0) return false;
            Thread.sleep(0, 250_000);
        }
        return true;
    }

    @Override
    public void destroy() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }

    @Override
    public Process destroyForcibly() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return this;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }
}
