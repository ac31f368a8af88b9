package oci.image.imports;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import oci.image.Descriptor;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.store.Store;

/** What both archive formats share: verified reads of entries and model errors that name the archive. */
abstract class Reader {
    final Entries entries;
    final Plan plan;
    final Scratch scratch;
    final String source;
    final Store store;

    Reader(Store store, Entries entries, Plan plan, Scratch scratch) {
        this.store = store;
        this.entries = entries;
        this.plan = plan;
        this.scratch = scratch;
        this.source = entries.source();
    }

    abstract void run() throws IOException;

    /** The entry, checked against the size and digest its descriptor states. */
    Spooled verified(String entry, Descriptor d) throws IOException {
        Spooled s = entries.spool(entry, d.digest().algorithm());
        if (s.size != d.size()) {
            throw new ImportException(source, entry, "blob size mismatch: " + s.size + " bytes, the descriptor says " + d.size());
        }
        if (!s.digest(d.digest().algorithm()).equals(d.digest())) {
            throw new ImportException(source, entry, "blob digest mismatch: content hashes to " + s.digest(d.digest().algorithm())
                    + ", the descriptor says " + d.digest());
        }
        return s;
    }

    /** A JSON entry's bytes (manifest.json, index.json, manifests, configs), size-capped. */
    byte[] small(String entry, Spooled s) throws IOException {
        if (s.size > Store.MAX_JSON_BLOB) {
            throw new ImportException(source, entry, s.size + " bytes is too large for a JSON document (limit " + Store.MAX_JSON_BLOB + ")");
        }
        return Files.readAllBytes(s.file);
    }

    /** Runs a model parse; its one-line error gets the archive's name in front. */
    <T> T model(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ImportException e) {
            throw e;
        } catch (ImageException e) {
            throw new ImportException(source, e.getMessage());
        }
    }

    static String what(String entry) {
        return "entry \"" + entry + "\"";
    }

    /** Image names normalised as the store keeps them ({@code busybox} → {@code docker.io/library/busybox:latest}). */
    List<String> normalised(List<String> names, String entry) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            try {
                String full = ImageRef.parse(n).toString();
                if (!out.contains(full)) out.add(full);
            } catch (ImageException e) {
                throw new ImportException(source, entry, "image name: " + e.getMessage());
            }
        }
        return out;
    }
}
