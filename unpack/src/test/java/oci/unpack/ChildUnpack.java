package oci.unpack;

import java.nio.file.Path;
import java.util.List;
import oci.image.Platform;
import oci.image.store.Store;

/** Unpacks an image in a child JVM: as an unprivileged user ({@link RootlessTest}), or to be interrupted ({@link InterruptTest}). */
public final class ChildUnpack {
    private ChildUnpack() {}

    /** args: STORE IMAGE TARGET [UIDMAP] */
    public static void main(String[] args) throws Exception {
        Store store = Store.open(Path.of(args[0]));
        UnpackOptions o = UnpackOptions.defaults().withListener(e -> {
            if (e instanceof UnpackEvent.Warning w) System.out.println("warning: " + w.message());
        });
        if (args.length > 3) o = o.withUidMap(List.of(IdMap.parse(args[3]))).withGidMap(List.of(IdMap.parse(args[3])));
        try {
            Rootfs r = Unpacker.unpack(store, store.image(args[1], Platform.host()), Path.of(args[2]), o);
            System.out.println("devices skipped: " + r.devicesSkipped());
        } catch (UnpackException e) {
            System.out.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
