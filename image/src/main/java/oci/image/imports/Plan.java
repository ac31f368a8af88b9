package oci.image.imports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.store.Store;

/**
 * What an import will publish: verified scratch files by digest, and the images with their names.
 * Nothing is visible in the store until {@link #commit}, which renames the blobs into place and
 * rewrites index.json once, both under the store lock (so a concurrent gc cannot drop a blob
 * between its rename and the index entry that keeps it).
 */
final class Plan {
    record Image(List<String> names, Descriptor descriptor) {}

    private final Map<Digest, Spooled> blobs = new LinkedHashMap<>();
    final List<Image> images = new ArrayList<>();

    void blob(Digest d, Spooled s) {
        blobs.putIfAbsent(d, s);
    }

    void image(List<String> names, Descriptor top) {
        images.add(new Image(List.copyOf(names), Descriptor.of(top.mediaType(), top.digest(), top.size())));
    }

    List<Importer.Imported> commit(Store store) {
        return store.locked(() -> {
            for (var e : blobs.entrySet()) {
                Path target = store.blobPath(e.getKey());
                if (Files.isRegularFile(target)) continue;
                Files.createDirectories(target.getParent());
                Files.move(e.getValue().file, target, StandardCopyOption.ATOMIC_MOVE);
            }
            List<Importer.Imported> out = new ArrayList<>();
            store.updateIndex(list -> {
                for (Image img : images) {
                    if (img.names().isEmpty()) {
                        boolean known = list.stream().anyMatch(d -> d.refName() == null && d.digest().equals(img.descriptor().digest()));
                        if (!known) list.add(img.descriptor());
                        out.add(new Importer.Imported(null, img.descriptor()));
                    }
                    for (String name : img.names()) {
                        list.removeIf(d -> name.equals(d.refName()));
                        list.add(img.descriptor().withAnnotations(Map.of(Descriptor.REF_NAME, name)));
                        out.add(new Importer.Imported(name, img.descriptor()));
                    }
                }
                return list;
            });
            return out;
        });
    }

}
