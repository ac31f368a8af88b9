package oci.image.imports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oci.image.Descriptor;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.store.Store;

/**
 * Imports images from files into a {@link Store}, with no registry: a docker-archive (what
 * {@code docker save} writes, classic or with an OCI layout inside), an oci-archive (a tar of an OCI
 * layout), either of them gzip-compressed, or an OCI layout directory.
 *
 * <p>An archive is read once, front to back; every entry is hashed while it is copied to the store's
 * scratch space, so no layer is held in memory. Everything is verified (digests, sizes, diff_ids,
 * media types, entry names) before anything is published; then the blobs are renamed into place
 * and index.json is rewritten once, under the store lock. A failed import leaves index.json as it was.
 */
public final class Importer {
    private final Store store;

    public Importer(Store store) {
        this.store = store;
    }

    /** One image the import named (or left unnamed: {@code name} null) in index.json. */
    public record Imported(String name, Descriptor descriptor) {}

    /**
     * Imports every image of {@code source}. With {@code name} (only for a source holding one
     * image) that name replaces the names the archive gives.
     *
     * @throws ImportException naming the source, the entry and what is wrong
     */
    public List<Imported> importFrom(Path source, String name) {
        if (!Files.exists(source)) throw new ImportException(source.toString(), "no such file or directory");
        String forcedName;
        try {
            forcedName = name == null ? null : ImageRef.parse(name).toString();
        } catch (ImageException e) {
            throw new ImportException(source.toString(), "--name: " + e.getMessage());
        }
        try (Scratch scratch = new Scratch(store.tmpDir())) {
            Entries entries = Files.isDirectory(source) ? new DirEntries(source, scratch) : TarEntries.read(source, scratch);
            Plan plan = new Plan();
            Reader reader;
            if (entries.has("index.json")) {
                reader = new LayoutReader(store, entries, plan, scratch);
            } else if (entries.has("manifest.json")) {
                reader = new DockerArchiveReader(store, entries, plan, scratch);
            } else {
                throw new ImportException(source.toString(),
                        "not an image archive: it has neither index.json (OCI layout) nor manifest.json (docker-archive)");
            }
            reader.run();
            if (forcedName != null) {
                if (plan.images.size() != 1) {
                    throw new ImportException(source.toString(), "--name needs a source holding one image; this one holds " + plan.images.size());
                }
                Plan.Image only = plan.images.remove(0);
                plan.images.add(new Plan.Image(List.of(forcedName), only.descriptor()));
            }
            return plan.commit(store);
        } catch (IOException e) {
            throw new ImportException(source.toString(), ImageException.reason(e));
        }
    }
}
