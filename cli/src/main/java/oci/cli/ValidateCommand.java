package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import oci.bundle.Validator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true, description = {
        "Check a bundle's config.json against the OCI runtime spec (config.md, config-linux.md).",
        "Prints every problem with its JSON path, e.g. `$.mounts[3].destination: must be an absolute path`; exit 1 if any."})
final class ValidateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "0..1", description = "The bundle directory (default: the current directory).")
    Path bundle = Path.of(".");

    @Override
    public Integer call() {
        return validate(spec.commandLine().getOut());
    }

    /** The command, printing to {@code out} (FastQuery runs it without picocli). */
    int validate(PrintWriter out) {
        List<Validator.Problem> problems = Validator.validateBundle(bundle);
        for (Validator.Problem p : problems) out.println(p);
        out.flush();
        if (!problems.isEmpty()) {
            throw new OciException("validate " + bundle.resolve("config.json") + ": " + problems.size()
                    + (problems.size() == 1 ? " problem" : " problems"));
        }
        out.println(bundle.resolve("config.json") + ": valid");
        out.flush();
        return 0;
    }
}
