package oci.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import oci.image.Digest;
import oci.image.store.Store;
import oci.unpack.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "gc", mixinStandardHelpOptions = true, description = {"Delete the blobs no image name reaches, and the layer snapshots no image needs and no",
        "mounted bundle uses; print what was freed."})
final class GcCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Store store = main.openStore();
        print(store.gc(), out);
        Snapshots.GcResult s = store.exclusive(() -> Snapshots.of(store).gc(store));
        for (Digest d : s.removed()) out.println("Deleted snapshot: " + d);
        if (!s.removed().isEmpty()) out.println("Snapshots reclaimed: " + ImagesCommand.humanSize(s.bytesFreed()));
        out.flush();
        return 0;
    }

    static void print(Store.GcResult r, PrintWriter out) {
        for (Digest d : r.removed()) out.println("Deleted: " + d);
        out.println("Total reclaimed space: " + ImagesCommand.humanSize(r.bytesFreed()) + " (" + r.removed().size() + " blobs)");
    }
}
