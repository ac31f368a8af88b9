package oci.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import oci.image.Descriptor;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.Index;
import oci.image.ModelJson;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "images", mixinStandardHelpOptions = true, description = {
        "List the images in the store, like `docker images`.",
        "SIZE is what the store holds for the image (config and layers as stored, compressed or not)."})
final class ImagesCommand implements Callable<Integer> {
    enum Format { table, json }

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    Format format = Format.table;

    /** One line of the listing. */
    record Row(String name, String repository, String tag, String digest, String id, String created, long size,
               String mediaType, String platform) {}

    @Override
    public Integer call() {
        return list(spec.commandLine().getOut());
    }

    /** The command, printing to {@code out} (FastQuery runs it without picocli). */
    int list(PrintWriter out) {
        Store store = main.openStore();
        List<Row> rows = new ArrayList<>();
        for (Descriptor d : store.entries()) rows.add(row(store, d));
        if (format == Format.json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("repository", r.repository());
                m.put("tag", r.tag());
                m.put("digest", r.digest());
                m.put("id", r.id());
                m.put("created", r.created());
                m.put("size", r.size());
                m.put("mediaType", r.mediaType());
                m.put("platform", r.platform());
                list.add(m);
            }
            out.println(ModelJson.pretty(list));
        } else {
            Instant now = Instant.now();
            List<String[]> cells = new ArrayList<>();
            cells.add(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
            for (Row r : rows) {
                cells.add(new String[] {r.repository(), r.tag(), r.id().substring(r.id().indexOf(':') + 1, r.id().indexOf(':') + 13),
                        ago(r.created(), now), humanSize(r.size())});
            }
            int[] width = new int[5];
            for (String[] c : cells) for (int i = 0; i < 5; i++) width[i] = Math.max(width[i], c[i].length());
            for (String[] c : cells) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < 5; i++) {
                    b.append(c[i]);
                    if (i < 4) b.append(" ".repeat(width[i] - c[i].length() + 3));
                }
                out.println(b.toString().stripTrailing());
            }
        }
        out.flush();
        return 0;
    }

    /** An entry as listed; a damaged image still gets a row (with what is known), so the listing never fails. */
    private static Row row(Store store, Descriptor d) {
        String name = d.refName();
        String repo = "<none>";
        String tag = "<none>";
        if (name != null) {
            try {
                ImageRef r = ImageRef.parse(name);
                String fam = r.withDigest(null).familiar();
                repo = r.tag() != null ? fam.substring(0, fam.length() - r.tag().length() - 1) : fam;
                if (r.tag() != null) tag = r.tag();
            } catch (ImageException e) {
                repo = name;
            }
        }
        String id = d.digest().toString();
        String created = null;
        long size = 0;
        String platform = null;
        try {
            StoredImage img = image(store, d, name);
            if (MediaType.isManifest(d.mediaType())) id = img.manifest().config().digest().toString();
            created = img.config().created();
            size = img.manifest().config().size() + img.manifest().totalLayerSize();
            platform = img.config().platform().toString();
        } catch (ImageException e) {
            // listed with what index.json says
        }
        return new Row(name, repo, tag, d.digest().toString(), id, created, size, d.mediaType(), platform);
    }

    /** This machine's image of a multi-platform one; if it has none, the first platform the index lists. */
    private static StoredImage image(Store store, Descriptor d, String name) {
        try {
            return store.image(d, Platform.host(), name);
        } catch (ImageException notForThisHost) {
            if (!MediaType.isIndex(d.mediaType())) throw notForThisHost;
            Index idx = Index.parse(store.readBlob(d.digest()), "index " + d.digest());
            for (Descriptor m : idx.manifests()) {
                if (m.platform() != null && MediaType.isManifest(m.mediaType())) return store.image(d, m.platform(), name);
            }
            throw notForThisHost;
        }
    }

    /** Docker's "2 weeks ago". */
    static String ago(String created, Instant now) {
        if (created == null) return "N/A";
        Instant t;
        try {
            t = Instant.parse(created);
        } catch (DateTimeParseException e) {
            return "N/A";
        }
        Duration d = Duration.between(t, now);
        if (d.isNegative()) return "in the future";
        long s = d.getSeconds();
        if (s < 60) return "Less than a minute ago";
        if (s < 3600) return plural(s / 60, "minute");
        if (s < 86400) return plural(s / 3600, "hour");
        if (s < 86400L * 14) return plural(s / 86400, "day");
        if (s < 86400L * 60) return plural(s / (86400 * 7), "week");
        if (s < 86400L * 365 * 2) return plural(s / (86400 * 30), "month");
        return plural(s / (86400 * 365), "year");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }

    /** Decimal units with three significant digits, as docker prints sizes ("4.26MB"). */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String num = u == 0 ? Long.toString(bytes) : String.format(Locale.ROOT, "%.3g", v);
        if (num.contains(".")) num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
        return num + units[u];
    }
}
