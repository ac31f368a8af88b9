package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.image.imports.Importer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true, description = {
        "Import images from a docker-archive (docker save), an oci-archive, either gzip-compressed, or an OCI layout directory.",
        "Names come from the archive (RepoTags, ref.name); nothing is stored if any part is bad. A layout whose "
                + "ref.name is a tag alone (skopeo's oci:DIR:TAG, umoci, buildah) is named REPO:TAG, REPO from --name "
                + "or else from the directory's name. SOURCE:REF imports only the image REF names, as skopeo's oci:DIR:REF."})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE|DIR[:REF]", description = "The archive or layout directory; with :REF only the image of that ref.name (or name).")
    String source;

    @Option(names = "--name", paramLabel = "NAME", description = "Name the image NAME instead (the source must hold one image, "
            + "or images named by tags alone: --name REPO names each REPO:TAG).")
    String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path file = Path.of(source);
        String ref = null;
        // SOURCE:REF, as skopeo's oci:DIR:REF: the part before the first colon that leaves an existing file
        if (!Files.exists(file)) {
            for (int i = source.indexOf(':'); i > 0; i = source.indexOf(':', i + 1)) {
                if (Files.exists(Path.of(source.substring(0, i)))) {
                    file = Path.of(source.substring(0, i));
                    ref = source.substring(i + 1);
                    if (ref.isEmpty()) throw new OciException("import: " + source + ": no REF after the colon", Main.EXIT_USAGE);
                    break;
                }
            }
        }
        for (Importer.Imported i : new Importer(main.openStore()).importFrom(file, ref, name)) {
            if (i.name() != null) out.println("Loaded image: " + i.name() + (i.note() != null ? " (" + i.note() + ")" : ""));
            else out.println("Loaded image ID: " + (i.id() != null ? i.id() : i.descriptor().digest()));
        }
        out.flush();
        return 0;
    }
}
