package oci.cli;

import java.util.concurrent.Callable;
import oci.image.Descriptor;
import oci.image.ImageRef;
import oci.image.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give the image SOURCE (a name, or a digest or its prefix) the name TARGET as well.")
final class TagCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "SOURCE") String source;
    @Parameters(index = "1", paramLabel = "TARGET") String target;

    @Override
    public Integer call() {
        String name = ImageRef.parse(target).toString();
        Store store = main.openStore();
        Descriptor d = store.resolve(source);
        store.tag(Descriptor.of(d.mediaType(), d.digest(), d.size()), name);
        return 0;
    }
}
