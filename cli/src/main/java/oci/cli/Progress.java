package oci.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import oci.image.Descriptor;
import oci.registry.PullEvent;
import oci.registry.PullListener;
import oci.unpack.UnpackEvent;

/**
 * Shows a pull's events: on a terminal one live line per blob with a bar, bytes and rate (as
 * {@code docker pull} does), redrawn a few times a second; otherwise plain lines, one per event
 * that matters. The library only emits events; printing happens here.
 */
abstract sealed class Progress implements PullListener, AutoCloseable {
    final PrintWriter out;

    Progress(PrintWriter out) {
        this.out = out;
    }

    static Progress create(PrintWriter out, boolean quiet) {
        if (quiet) return new Quiet(out);
        var console = System.console();
        boolean tty = console != null && console.isTerminal() && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        return tty ? new Live(out) : new Plain(out);
    }

    @Override
    public void close() {}

    /** An unpack event of the layers being pulled (oci bundle unpacks while it downloads). */
    void unpack(UnpackEvent e) {}

    static String shortId(Descriptor d) {
        return d.digest().shortHex();
    }

    static String bytes(long n) {
        if (n < 1000) return n + "B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    /** --quiet: nothing while pulling. */
    static final class Quiet extends Progress {
        Quiet(PrintWriter out) {
            super(out);
        }

        @Override
        public void on(PullEvent event) {}
    }

    /** Not a terminal: one line per event worth a line. */
    static final class Plain extends Progress {
        Plain(PrintWriter out) {
            super(out);
        }

        @Override
        public synchronized void on(PullEvent e) {
            switch (e) {
                case PullEvent.Resolved r -> out.println("Pulling " + r.name() + " from " + r.registry());
                case PullEvent.BlobPresent p -> out.println(shortId(p.blob()) + ": already present");
                case PullEvent.BlobStarted s when s.offset() > 0 -> out.println(shortId(s.blob()) + ": resuming at " + bytes(s.offset()));
                case PullEvent.BlobDone d -> out.println(shortId(d.blob()) + ": pulled " + bytes(d.blob().size()));
                case PullEvent.Retrying r -> out.println("retrying (" + r.attempt() + ") in " + r.delay().toMillis() + " ms: " + r.cause());
                case PullEvent.MirrorFailed m -> out.println("mirror " + m.mirror() + " failed, trying the next source: " + m.cause());
                default -> { }
            }
            out.flush();
        }

        @Override
        synchronized void unpack(UnpackEvent e) {
            switch (e) {
                case UnpackEvent.LayerStarted s when s.digest() != null -> out.println(s.digest().shortHex() + ": unpacking (layer "
                        + (s.index() + 1) + " of " + s.count() + ")");
                case UnpackEvent.LayerApplied a when a.entries() > 0 -> out.println(a.diffId().shortHex() + ": unpacked "
                        + a.entries() + " entries, " + bytes(a.bytes()));
                default -> { }
            }
            out.flush();
        }
    }

    /** A terminal: a block of lines, one per blob, redrawn in place. */
    static final class Live extends Progress {
        private record Line(Descriptor blob, String status, long bytes, long startNanos, long startBytes, String unpack) {
            Line(Descriptor blob, String status, long bytes, long startNanos, long startBytes) {
                this(blob, status, bytes, startNanos, startBytes, "");
            }
        }

        private final Map<String, Line> lines = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private int drawn;
        private final Thread painter;
        private volatile boolean done;

        Live(PrintWriter out) {
            super(out);
            painter = Thread.ofPlatform().daemon().name("oci-progress").start(() -> {
                while (!done) {
                    paint();
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public synchronized void on(PullEvent e) {
            long now = System.nanoTime();
            switch (e) {
                case PullEvent.Resolved r -> notes.add("Pulling " + r.name() + " from " + r.registry());
                case PullEvent.Planned p -> p.blobs().forEach(b -> lines.put(b.digest().toString(), new Line(b, "Waiting", 0, now, 0)));
                case PullEvent.BlobPresent p -> put(p.blob(), "Already exists", p.blob().size(), now, 0);
                case PullEvent.BlobStarted s -> put(s.blob(), "Downloading", s.offset(), now, s.offset());
                case PullEvent.BlobProgress p -> {
                    Line l = lines.get(p.blob().digest().toString());
                    if (l != null) lines.put(p.blob().digest().toString(), new Line(l.blob(), "Downloading", p.bytes(), l.startNanos(), l.startBytes(), l.unpack()));
                }
                case PullEvent.BlobDone d -> put(d.blob(), "Pull complete", d.blob().size(), now, 0);
                case PullEvent.Retrying r -> notes.add("retrying (" + r.attempt() + "): " + r.cause());
                case PullEvent.MirrorFailed m -> notes.add("mirror " + m.mirror() + " failed: " + m.cause());
                case PullEvent.Done d -> { }
                case PullEvent.ImageChosen c -> { }
                case PullEvent.Writing w -> { }
            }
        }

        @Override
        synchronized void unpack(UnpackEvent e) {
            switch (e) {
                case UnpackEvent.LayerStarted s when s.digest() != null -> setUnpack(s.digest().toString(), "unpacking");
                case UnpackEvent.LayerApplied a -> {
                    for (var entry : lines.entrySet()) {
                        if (entry.getValue().unpack().equals("unpacking")) setUnpack(entry.getKey(), "unpacked");
                    }
                }
                default -> { }
            }
        }

        private void setUnpack(String key, String state) {
            Line l = lines.get(key);
            if (l != null) lines.put(key, new Line(l.blob(), l.status(), l.bytes(), l.startNanos(), l.startBytes(), state));
        }

        private void put(Descriptor b, String status, long bytes, long start, long startBytes) {
            Line old = lines.get(b.digest().toString());
            lines.put(b.digest().toString(), new Line(b, status, bytes, start, startBytes, old == null ? "" : old.unpack()));
        }

        synchronized void paint() {
            StringBuilder sb = new StringBuilder();
            if (drawn > 0) sb.append("\u001b[").append(drawn).append('A');
            for (String n : notes) sb.append("\r\u001b[2K").append(n).append('\n');
            notes.clear();
            long now = System.nanoTime();
            for (Line l : lines.values()) sb.append("\r\u001b[2K").append(render(l, now)).append('\n');
            drawn = lines.size();
            out.print(sb);
            out.flush();
        }

        private static String render(Line l, long now) {
            return l.unpack().isEmpty() ? renderPull(l, now) : renderPull(l, now) + ", " + l.unpack();
        }

        private static String renderPull(Line l, long now) {
            String id = shortId(l.blob());
            if (!l.status().equals("Downloading")) return id + ": " + l.status();
            long size = Math.max(1, l.blob().size());
            int width = 30;
            int filled = (int) Math.min(width, l.bytes() * width / size);
            String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled);
            double secs = Math.max(1e-3, (now - l.startNanos()) / 1e9);
            long rate = (long) ((l.bytes() - l.startBytes()) / secs);
            return id + ": Downloading [" + bar + "] " + bytes(l.bytes()) + "/" + bytes(l.blob().size()) + " " + bytes(rate) + "/s";
        }

        @Override
        public void close() {
            done = true;
            painter.interrupt();
            try {
                painter.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            paint();
        }
    }
}
