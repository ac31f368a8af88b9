package oci.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits that an interrupt does not cut short: the interrupt is kept for the caller to see. */
final class Uninterruptibly {
    private Uninterruptibly() {}

    /** {@code task}'s result once it has ended; its failure as the ExecutionException. */
    static <T> T get(Future<T> task) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
