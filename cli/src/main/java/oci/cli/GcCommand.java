package oci.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import oci.image.Digest;
import oci.image.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "gc", mixinStandardHelpOptions = true, description = "Delete the blobs no image name reaches, and print what was freed.")
final class GcCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        print(main.openStore().gc(), out);
        out.flush();
        return 0;
    }

    static void print(Store.GcResult r, PrintWriter out) {
        for (Digest d : r.removed()) out.println("Deleted: " + d);
        out.println("Total reclaimed space: " + ImagesCommand.humanSize(r.bytesFreed()) + " (" + r.removed().size() + " blobs)");
    }
}
