package oci.image.imports;

import java.io.Closeable;
import java.io.IOException;

/**
 * The files of an archive or directory, by entry name ("manifest.json", "blobs/sha256/ab…"). Names
 * are normalised (no "./", no trailing "/") and never leave the archive: {@link #clean}
 * refuses "../" and absolute names.
 */
interface Entries extends Closeable {
    /** The file or directory the entries come from, for messages. */
    String source();

    boolean has(String name);

    /** The entry as a file in the store's scratch directory, hashed with sha256 and {@code algorithm}. */
    Spooled spool(String name, String algorithm) throws IOException;

    /** Normalises an entry name as written in an archive or a manifest.json; refuses names that leave. */
    static String clean(String source, String raw) {
        String n = cleanDirectory(source, raw);
        if (n.isEmpty()) throw new ImportException(source, raw, "entry name names the archive root");
        return n;
    }

    /** Like {@link #clean}, but the archive root itself ("./", as {@code tar -C dir .} writes) is allowed: "". */
    static String cleanDirectory(String source, String raw) {
        String n = raw;
        if (n.isEmpty()) throw new ImportException(source, raw, "empty entry name");
        if (n.startsWith("/")) throw new ImportException(source, raw, "absolute entry name leaves the archive");
        StringBuilder out = new StringBuilder();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw new ImportException(source, raw, "entry name leaves the archive (\"..\")");
            if (out.length() > 0) out.append('/');
            out.append(part);
        }
        return out.toString();
    }
}
