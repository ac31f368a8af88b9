package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.image.imports.Importer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "import", description = {
        "Import images from a docker-archive (docker save), an oci-archive, either gzip-compressed, or an OCI layout directory.",
        "Names come from the archive (RepoTags, ref.name); nothing is stored if any part is bad."})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR", description = "The archive or layout directory.")
    Path source;

    @Option(names = "--name", paramLabel = "NAME", description = "Name the image NAME instead (the source must hold one image).")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Importer.Imported i : new Importer(main.openStore()).importFrom(source, name)) {
            if (i.name() != null) out.println("Loaded image: " + i.name());
            else out.println("Loaded image ID: " + i.descriptor().digest());
        }
        out.flush();
        return 0;
    }
}
