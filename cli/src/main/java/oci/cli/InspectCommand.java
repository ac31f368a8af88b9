package oci.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ModelJson;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = {
        "Print an image's config (JSON). IMAGE is a name, a digest or a unique digest prefix.",
        "With --manifest, its manifest instead (for a multi-platform image: the index, or with --platform that platform's manifest)."})
final class InspectCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "IMAGE") String image;

    @Option(names = "--manifest", description = "Print the manifest (or index) instead of the config.") boolean manifest;

    @Option(names = "--raw", description = "Print the stored bytes exactly, not pretty-printed.") boolean raw;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
            description = "For a multi-platform image, the platform to choose (default: this machine's).")
    String platform;

    @Override
    public Integer call() {
        return inspect(spec.commandLine().getOut());
    }

    /** The command, printing to {@code out} (FastQuery runs it without picocli). */
    int inspect(PrintWriter out) {
        Store store = main.openStore();
        Descriptor top = store.resolve(image);
        Digest which;
        if (manifest && platform == null && MediaType.isIndex(top.mediaType())) {
            which = top.digest();
        } else {
            Platform p = platform == null ? Platform.host() : Platform.parse(platform);
            StoredImage img = store.image(top, p, top.refName());
            which = manifest ? img.manifestDescriptor().digest() : img.manifest().config().digest();
        }
        byte[] bytes = store.readBlob(which);
        if (raw) {
            out.print(new String(bytes, StandardCharsets.UTF_8));
        } else {
            out.println(ModelJson.pretty(ModelJson.tree(bytes, "blob " + which)));
        }
        out.flush();
        return 0;
    }
}
