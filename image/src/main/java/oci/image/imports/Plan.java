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
    /**
     * @param tag a bare tag the layout gave as its ref.name ({@code latest}, as skopeo's
     *     {@code oci:DIR:TAG}, umoci and buildah write it), named by the importer; null otherwise
     * @param refName the layout's ref.name as written, for choosing with {@code SOURCE:REF}
     */
    record Image(List<String> names, Descriptor descriptor, String tag, String refName) {
        Image(List<String> names, Descriptor descriptor) {
            this(names, descriptor, null, null);
        }
    }

    private final Map<Digest, Spooled> blobs = new LinkedHashMap<>();
    final List<Image> images = new ArrayList<>();
    /** What the import line says about a name it made up, by name. */
    final Map<String, String> notes = new LinkedHashMap<>();

    void blob(Digest d, Spooled s) {
        blobs.putIfAbsent(d, s);
    }

    void image(List<String> names, Descriptor top) {
        image(names, top, null, null);
    }

    void image(List<String> names, Descriptor top, String tag, String refName) {
        images.add(new Image(List.copyOf(names), Descriptor.of(top.mediaType(), top.digest(), top.size()), tag, refName));
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
                        out.add(new Importer.Imported(null, img.descriptor(), store.imageId(img.descriptor()), null));
                    }
                    for (String name : img.names()) {
                        // the name replaces what it named, and the image's own <none> entry (as docker's load does)
                        list.removeIf(d -> name.equals(d.refName()) || d.refName() == null && d.digest().equals(img.descriptor().digest()));
                        list.add(img.descriptor().withAnnotations(Map.of(Descriptor.REF_NAME, name)));
                        out.add(new Importer.Imported(name, img.descriptor(), store.imageId(img.descriptor()), notes.get(name)));
                    }
                }
                return list;
            });
            return out;
        });
    }

}
