package oci.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.unpack.IdMap;
import oci.unpack.Rootfs;
import oci.unpack.UnpackEvent;
import oci.unpack.UnpackOptions;
import oci.unpack.Unpacker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code oci unpack IMAGE DIR}: writes the image's root file system into DIR. */
@Command(name = "unpack", mixinStandardHelpOptions = true, description = {
        "Write an image's root file system into DIR: its layers applied in order (whiteouts, owners, modes, "
                + "times, xattrs), every path kept inside DIR, each layer checked against the config's diff_ids.",
        "DIR appears complete or not at all. Not as root (or with --rootless), owners go into the "
                + "user.rootlesscontainers xattr as umoci writes it, and device nodes are skipped."})
public final class UnpackCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name or digest in the store.")
    String image;

    @Parameters(index = "1", paramLabel = "DIR", description = "Directory to create.")
    Path dir;

    @Option(names = "--force", description = "Replace DIR if it exists (in one rename, at the end).")
    boolean force;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to pick from a multi-platform image (a single-platform image must be for it). Default: this machine's.")
    String platform;

    @Option(names = "--max-bytes", paramLabel = "N", description = "Refuse images whose layers uncompress to, or whose files take, more than N bytes (suffixes K, M, G, T). Default: no limit.")
    String maxBytes;

    @Option(names = "--uid-map", paramLabel = "C:H:S", description = "Map container uids C..C+S-1 to host uids H.. (repeatable).")
    List<String> uidMap = new ArrayList<>();

    @Option(names = "--gid-map", paramLabel = "C:H:S", description = "Map container gids C..C+S-1 to host gids H.. (repeatable).")
    List<String> gidMap = new ArrayList<>();

    @Option(names = "--rootless", description = "Do not chown or create devices even as root; record owners in the user.rootlesscontainers xattr.")
    boolean rootless;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        // options first: a mistyped value is the thing to report, whatever the image
        UnpackOptions o = UnpackOptions.defaults().withForce(force).withMaxBytes(parseBytes(maxBytes))
                .withUidMap(uidMap.stream().map(IdMap::parse).toList())
                .withGidMap(gidMap.stream().map(IdMap::parse).toList())
                .withRootless(rootless)
                .withListener(e -> {
                    if (e instanceof UnpackEvent.Warning w) {
                        err.println("oci: warning: " + w.message());
                        err.flush();
                    }
                });
        Platform p = platform == null ? Platform.host() : Platform.parse(platform);
        Store store = main.openStore();
        StoredImage img = store.image(image, p, platform != null);
        Rootfs r = Unpacker.unpack(store, img, dir, o);
        var out = spec.commandLine().getOut();
        int layers = r.diffIds().size();
        out.println("unpacked " + image + " into " + r.dir() + " (" + layers + (layers == 1 ? " layer, " : " layers, ") + r.entries()
                + " entries, " + r.bytes() + " bytes)");
        out.flush();
        return 0;
    }

    static long parseBytes(String s) {
        if (s == null || s.isEmpty()) return 0;
        String t = s.trim().toUpperCase();
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        int shift = switch (last) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        if (shift > 0) {
            t = t.substring(0, t.length() - 1);
            mult = 1L << shift;
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > Long.MAX_VALUE / mult) throw new NumberFormatException();
            return v * mult;
        } catch (NumberFormatException e) {
            throw new OciException("invalid --max-bytes \"" + s + "\": expected a number of bytes, optionally with K, M, G or T", Main.EXIT_USAGE);
        }
    }
}
