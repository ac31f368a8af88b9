package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import oci.bundle.Bundler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rmbundle", mixinStandardHelpOptions = true, description = {
        "Remove bundles that `oci bundle` made: unmount an overlay rootfs, then delete the directory.",
        "A directory with neither config.json nor rootfs is refused."})
final class RmbundleCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "The bundle directories.")
    List<Path> dirs;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (Path d : dirs) {
            Bundler.remove(d);
            out.println(d);
        }
        out.flush();
        return 0;
    }
}
