package oci.bundle;

import java.nio.file.Path;
import oci.image.Platform;
import oci.image.store.Store;

/** Makes a bundle in a child JVM, to be interrupted ({@link BundleInterruptTest}). args: STORE IMAGE DIR */
public final class ChildBundle {
    private ChildBundle() {}

    public static void main(String[] args) throws Exception {
        Store store = Store.open(Path.of(args[0]));
        Bundler.fromImage(store, store.image(args[1], Platform.host()), Path.of(args[2]), false, new BundleOptions());
    }
}
