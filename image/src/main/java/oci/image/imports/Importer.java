package oci.image.imports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import oci.image.Descriptor;
import oci.image.Digest;
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

    /**
     * One image the import named (or left unnamed: {@code name} null) in index.json.
     *
     * @param id the image ID, as {@code oci images} shows it and IMAGE arguments take it
     * @param note how a name was made up (a layout's bare tag under the directory's name), or null
     */
    public record Imported(String name, Descriptor descriptor, Digest id, String note) {}

    /** As {@link #importFrom(Path, String, String)} with every image of the source. */
    public List<Imported> importFrom(Path source, String name) {
        return importFrom(source, null, name);
    }

    /**
     * Imports the images of {@code source}: all of them, or with {@code ref} the one whose ref.name
     * (or name) it is, as skopeo's {@code oci:DIR:REF}. With {@code name} that name replaces the
     * names the archive gives: for one image, or for images a layout names by bare tags only
     * ({@code --name REPO} gives {@code REPO:TAG} each). Without a name, bare tags are put under a
     * repository named after the source file or directory.
     *
     * @throws ImportException naming the source, the entry and what is wrong
     */
    public List<Imported> importFrom(Path source, String ref, String name) {
        if (!Files.exists(source)) throw new ImportException(source.toString(), "no such file or directory");
        ImageRef forced;
        boolean forcedTag;
        try {
            forced = name == null ? null : ImageRef.parse(name);
            forcedTag = name != null && (name.contains("@") || name.substring(name.lastIndexOf('/') + 1).contains(":"));
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
            if (ref != null) pick(plan, ref, source);
            List<Plan.Image> images = new ArrayList<>(plan.images);
            plan.images.clear();
            boolean allTags = images.stream().allMatch(i -> i.tag() != null);
            if (forced != null && images.size() != 1 && !(allTags && !forcedTag)) {
                throw new ImportException(source.toString(), "--name needs a source holding one image; this one holds " + images.size()
                        + (refs(images).isEmpty() ? "" : " (" + String.join(", ", refs(images)) + "): pick one with " + source + ":REF"));
            }
            ImageRef repo = forced;
            String note = null;
            if (repo == null && images.stream().anyMatch(i -> i.tag() != null)) {
                repo = ImageRef.parse(repositoryOf(source));
                note = "repository named after \"" + repositoryOf(source) + "\"; --name REPO chooses another";
            }
            for (Plan.Image i : images) {
                List<String> names = i.names();
                if (forced != null && (forcedTag || i.tag() == null)) {
                    names = List.of(forced.toString());
                } else if (i.tag() != null) {
                    String n = new ImageRef(repo.domain(), repo.path(), i.tag(), null).toString();
                    names = List.of(n);
                    if (forced == null) plan.notes.put(n, "ref.name \"" + i.tag() + "\" is a bare tag; " + note);
                }
                plan.images.add(new Plan.Image(names, i.descriptor(), i.tag(), i.refName()));
            }
            return plan.commit(store);
        } catch (IOException e) {
            throw new ImportException(source.toString(), ImageException.reason(e));
        }
    }

    /** Keeps only the image {@code ref} names: its ref.name as written, or one of its names. */
    private static void pick(Plan plan, String ref, Path source) {
        String full;
        try {
            full = ImageRef.parse(ref).toString();
        } catch (ImageException e) {
            full = null;
        }
        Plan.Image hit = null;
        for (Plan.Image i : plan.images) if (ref.equals(i.refName())) hit = hit == null ? i : hit;
        if (hit == null) {
            for (Plan.Image i : plan.images) if (i.names().contains(full) && hit == null) hit = i;
        }
        if (hit == null) {
            List<String> refs = refs(plan.images);
            throw new ImportException(source.toString(), "no image named \"" + ref + "\" in it"
                    + (refs.isEmpty() ? " (its images have no names)" : "; it has " + String.join(", ", refs)));
        }
        plan.images.clear();
        plan.images.add(hit);
    }

    private static List<String> refs(List<Plan.Image> images) {
        List<String> out = new ArrayList<>();
        for (Plan.Image i : images) {
            String r = i.refName() != null ? i.refName() : i.names().isEmpty() ? null : i.names().getFirst();
            if (r != null && !out.contains(r)) out.add(r);
        }
        return out;
    }

    /**
     * A repository name from the source's file name ({@code alpine-layout}, {@code app.tar.gz} →
     * {@code app}), made valid: lowercase, other characters as dashes; {@code imported} if nothing is left.
     */
    static String repositoryOf(Path source) {
        Path abs = source.toAbsolutePath().normalize();
        String n = abs.getFileName() == null ? "" : abs.getFileName().toString();
        if (!Files.isDirectory(source)) n = n.replaceFirst("(?i)(\\.tar)?(\\.gz|\\.tgz|\\.zst|\\.tar)$", "");
        n = n.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        n = n.replaceAll("[._-]{2,}", "-");
        try {
            ImageRef.parse(n);
            return n;
        } catch (ImageException e) {
            return "imported";
        }
    }
}
