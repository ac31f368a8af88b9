package oci.image;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets work that leaves temporary files behind until it finishes clean up when the JVM exits on
 * Ctrl-C or SIGTERM: the JVM halts as soon as its shutdown hooks return, so the hook first tells the
 * work to stop ({@code onExit}) and then waits, up to 10 s, for {@link #close} at the end of the
 * work's own cleanup.
 */
public final class ExitCleanup implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    public ExitCleanup(String name, Runnable onExit) {
        hook = new Thread(() -> {
            onExit.run();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The cleanup is over: an exit no longer waits. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waited for this
        }
    }
}
