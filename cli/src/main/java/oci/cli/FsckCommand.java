package oci.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import oci.image.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "fsck", mixinStandardHelpOptions = true, description = {
        "Verify every blob of the store (digest, size; manifests and configs parse; nothing referenced is missing).",
        "Lists the bad blobs and exits 1 if there is any."})
final class FsckCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Store store = main.openStore();
        List<Store.Problem> problems = store.fsck();
        for (Store.Problem p : problems) out.println((p.digest() == null ? "-" : p.digest().toString()) + ": " + p.message());
        if (problems.isEmpty()) out.println("store " + store.root() + ": no problems found");
        out.flush();
        return problems.isEmpty() ? 0 : Main.EXIT_FAILURE;
    }
}
