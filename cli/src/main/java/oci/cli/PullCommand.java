package oci.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import oci.image.Digest;
import oci.image.ImageRef;
import oci.image.Platform;
import oci.image.store.Store;
import oci.registry.PullOptions;
import oci.registry.PullResult;
import oci.registry.RegistryClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code oci pull IMAGE}: fetch an image from its registry into the store, verified, and name it. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Pull an image from a registry into the store.",
            "IMAGE is a reference like busybox, library/busybox:1.36, ghcr.io/org/app@sha256:...; "
                    + "short names are Docker Hub's (docker.io/library/...)."})
final class PullCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Parameters(paramLabel = "IMAGE", description = "The image reference (by tag or @digest).")
    String image;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pick from a multi-platform image (default: this host's).")
    String platform;

    @Option(names = "--all-platforms", description = "Pull the images of every platform in the index.")
    boolean allPlatforms;

    static final int DEFAULT_JOBS = 3;

    @Option(names = {"-j", "--jobs"}, defaultValue = "" + DEFAULT_JOBS, paramLabel = "N", description = "Blobs downloaded at once (default ${DEFAULT-VALUE}).")
    int jobs = DEFAULT_JOBS;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image ID (as oci images shows it).")
    boolean quiet;

    @Override
    public Integer call() {
        return pull(spec.commandLine().getOut());
    }

    /** The store {@code opening} opened; its failure as the pull's own. */
    private static Store opened(FutureTask<Store> opening) {
        try {
            return opening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException("pull: interrupted");
        }
    }

    /** Waits until {@code opening} has ended, whatever its outcome (opened() reports a failure). */
    private static void settled(FutureTask<Store> opening) {
        try {
            Uninterruptibly.get(opening);
        } catch (ExecutionException e) {
            // opened() reports it
        }
    }

    /** The pull itself, printing to {@code out}; FastPull calls it without picocli. */
    int pull(PrintWriter out) {
        RegistryClient.prepare(); // OkHttp's first use, on threads of its own beside the rest below
        ImageRef ref = ImageRef.parse(image);
        PullOptions options = new PullOptions(platform != null ? Platform.parse(platform) : null, allPlatforms, jobs);
        // The store's first work (the layout made or checked, index.json read with jackson-core's
        // parser, first used here) runs on a thread of its own while this one fetches the top
        // manifest; the pull asks for the store when it first needs it. It starts once the client is
        // built, not before: until then this thread waits for OkHttp's first-use work on two others,
        // and on two cores a third one beside them only delays the first request (bench: busybox
        // pull ~5-10% less wall, the store's work now overlapping the first round trip instead).
        FutureTask<Store> opening = new FutureTask<>(() -> {
            Store s = main.openStore();
            s.index();
            return s;
        });
        boolean started = false;
        PullResult result;
        Store store;
        try (Progress progress = Progress.create(out, quiet); RegistryClient client = registry.client(ref.domain(), progress)) {
            Thread.ofPlatform().daemon().name("oci-store-open").start(opening);
            started = true;
            // (the pull keeps `oci gc` out of the store while blobs arrive before the image is named)
            result = client.pull(ref, () -> opened(opening), options);
        } finally {
            // A pull that fails before it needs the store (no such tag, no registry) must not return
            // while the store's thread still writes the layout: nothing half-written is left behind.
            if (started) settled(opening);
        }
        store = opened(opening);
        // the image ID oci images shows and every IMAGE argument takes (the config digest; an index's own)
        Digest id = store.imageId(result.target());
        if (quiet) {
            out.println(id);
        } else {
            out.println("Digest: " + result.target().digest());
            out.println("Image ID: " + id);
            out.println(result.name());
        }
        out.flush();
        return 0;
    }
}
