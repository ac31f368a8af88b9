package oci.registry;

/** Receives {@link PullEvent}s; called from download threads, so implementations must be thread-safe. */
@FunctionalInterface
public interface PullListener {
    PullListener NONE = e -> {};

    void on(PullEvent event);
}
