package oci.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import oci.runtime.Features;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** runc's features: the runtime-spec Features JSON (features.md) of what this runtime implements. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Show what the runtime implements, as the runtime-spec Features JSON (containerd reads it).")
final class FeaturesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Features.json());
        out.flush();
        return 0;
    }
}
