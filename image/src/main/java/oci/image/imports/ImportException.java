package oci.image.imports;

import oci.image.ImageException;

/** An import that failed; the message names the archive, the entry (when there is one) and the cause. */
public final class ImportException extends ImageException {
    ImportException(String source, String entry, String cause) {
        super("import " + source + (entry == null ? "" : ": entry \"" + entry + "\"") + ": " + cause);
    }

    ImportException(String source, String cause) {
        this(source, null, cause);
    }
}
