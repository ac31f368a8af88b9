package oci.image.imports;

import java.nio.file.Path;
import oci.image.store.Store;

/** Imports in a child JVM, to be interrupted ({@link ImportInterruptTest}). args: STORE SOURCE */
public final class ChildImport {
    private ChildImport() {}

    public static void main(String[] args) {
        new Importer(Store.open(Path.of(args[0]))).importFrom(Path.of(args[1]), null);
    }
}
