package oci.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "rmi", mixinStandardHelpOptions = true, description = {
        "Remove image names. An image ID or digest (or a unique prefix) removes every name of that image.",
        "The blobs stay until `oci gc` (or --prune) removes what no name reaches."})
final class RmiCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "1..*") List<String> names;

    @Option(names = "--prune", description = "Run gc afterwards.") boolean prune;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Store store = main.openStore();
        int failed = 0;
        for (String what : names) {
            try {
                Descriptor d = store.resolve(what);
                if (d.refName() != null && (what.equals(d.refName()) || d.refName().equals(normalised(what)))) {
                    store.untag(d.refName());
                    out.println("Untagged: " + d.refName());
                } else {
                    // by ID or digest: every entry of that image (one ID; its manifests may differ, e.g. pulled and imported)
                    Digest id = store.imageId(d);
                    java.util.function.Predicate<Descriptor> same = e -> e.digest().equals(d.digest()) || id != null && id.equals(store.imageId(e));
                    List<Descriptor> gone = store.entries().stream().filter(same).toList();
                    for (Descriptor e : gone) {
                        if (e.refName() != null) {
                            store.untag(e.refName());
                            out.println("Untagged: " + e.refName());
                        }
                    }
                    store.updateIndex(list -> {
                        list.removeIf(e -> gone.stream().anyMatch(g -> g.digest().equals(e.digest())));
                        return list;
                    });
                    out.println("Removed: " + (id != null ? id : d.digest()));
                }
            } catch (ImageException e) {
                err.println("oci: " + e.getMessage());
                failed++;
            }
        }
        if (prune) GcCommand.print(store.gc(), out);
        out.flush();
        err.flush();
        return failed == 0 ? 0 : Main.EXIT_FAILURE;
    }

    private static String normalised(String s) {
        try {
            return ImageRef.parse(s).toString();
        } catch (ImageException e) {
            return null;
        }
    }
}
