package oci.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.bundle.ConfigFile;
import oci.bundle.ConfigGenerator;
import oci.bundle.Defaults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "spec", mixinStandardHelpOptions = true, description = {
        "Write the default runtime config.json into the bundle directory, as `runc spec` does.",
        "Edit it, put a root filesystem in rootfs/, and run it with `oci run`."})
final class SpecCommand implements Callable<Integer> {
    @Option(names = "--rootless", description = "A config for running as a non-root user: a user namespace mapping "
            + "root in the container to you, no network namespace, no cgroup settings.")
    boolean rootless;

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory (default: the current directory).")
    Path bundle = Path.of(".");

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(bundle)) throw new OciException("write spec: bundle directory " + bundle + " does not exist");
        if (Files.exists(bundle.resolve(ConfigFile.NAME))) {
            throw new OciException("write spec: " + bundle.resolve(ConfigFile.NAME) + " already exists; remove it first");
        }
        ConfigGenerator.Host me = ConfigGenerator.Host.current();
        ConfigFile.write(bundle, Defaults.runcSpec(rootless, me.uid(), me.gid()));
        return 0;
    }
}
