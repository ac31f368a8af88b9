package oci.unpack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Commons Compress's tar reader with two additions:
 * <ul>
 *   <li>PAX and GNU long-name headers are bounded ({@link #MAX_META} bytes): a header claiming a
 *       gigabyte is refused before it is read into memory (the Go CVE-2022-2879 class);</li>
 *   <li>the raw bytes of each entry's PAX header are kept, because Commons Compress decodes PAX
 *       values as UTF-8 and binary xattr values (security.capability) would not survive that;</li>
 *   <li>names are bytes, as Linux and GNU tar have them: header names, GNU long names and PAX
 *       path/linkpath come as strings of bytes (one char per byte, ISO-8859-1), what
 *       {@link oci.linux.FileCalls#rawNames()} takes, so {@code raw-\xff\xfe} and UTF-8 names alike
 *       are written exactly as the layer has them.</li>
 * </ul>
 */
final class TarReader extends TarArchiveInputStream {
    /** Bound of one PAX header or GNU long name/link entry. */
    static final long MAX_META = 1 << 20;

    private ByteArrayOutputStream captured;
    private boolean capturing;
    /** What the PAX header before the coming real header said. */
    private byte[] pendingPax;
    private boolean extensionBlocks;
    /** The same, for the entry whose real header was read last. */
    private byte[] lastPax;
    /** What that PAX header says beyond Commons Compress's reading of it. */
    private Pax pax = new Pax(Map.of(), null, null, null, null);

    TarReader(InputStream in) {
        // ISO-8859-1 maps each byte of a header name or GNU long name to one char and back
        super(in, StandardCharsets.ISO_8859_1.name());
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        TarArchiveEntry e = super.getNextEntry(); // which calls this again for the entry after a meta header
        if (e == null) return null;
        pax = parsePax(lastPax);
        // Commons Compress decoded PAX names as UTF-8 (other bytes became U+FFFD): the bytes instead
        if (pax.path() != null) e.setName(pax.path());
        if (pax.linkPath() != null) e.setLinkName(pax.linkPath());
        return e;
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] rec = super.readRecord();
        if (capturing) {
            pendingPax = captured.toByteArray();
            capturing = false;
        }
        if (rec == null || rec.length < 512) return rec;
        if (extensionBlocks) {
            // an old GNU sparse map continues here, not a header
            extensionBlocks = rec[504] != 0;
            return rec;
        }
        byte type = rec[156];
        if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
            long size = parseSize(rec);
            if (size < 0 || size > MAX_META) {
                throw new IOException("a " + (type == 'x' || type == 'g' ? "PAX" : "GNU long-name") + " header of "
                        + size + " bytes exceeds the limit of " + MAX_META);
            }
            if (type == 'x') {
                captured = new ByteArrayOutputStream();
                capturing = true;
            }
            return rec;
        }
        // an entry's own header: it takes what the PAX header before it said
        lastPax = pendingPax;
        pendingPax = null;
        extensionBlocks = type == 'S' && rec[482] != 0;
        return rec;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (capturing && n > 0) captured.write(b, off, n);
        return n;
    }

    private boolean sawEnd;

    @Override
    protected boolean isEOFRecord(byte[] record) {
        boolean end = super.isEOFRecord(record);
        if (end && record != null) sawEnd = true; // null: the data stopped before any end block
        return end;
    }

    /** Whether the archive ended with its end-of-archive (zero) block, not just where the data stopped. */
    boolean sawEnd() {
        return sawEnd;
    }

    /**
     * What the entry's PAX header says beyond Commons Compress's reading of it.
     *
     * @param xattrs from {@code SCHILY.xattr.NAME} records: names and values as bytes
     * @param mtime with all nine digits of nanoseconds (Commons Compress keeps 100 ns), or null
     * @param path the name as bytes ({@code GNU.sparse.name}, else {@code path}), or null
     * @param linkPath {@code linkpath} as bytes, or null
     */
    record Pax(Map<String, byte[]> xattrs, Instant mtime, Instant atime, String path, String linkPath) {}

    /** The current entry's {@link Pax}. */
    Pax pax() {
        return pax;
    }

    private static Pax parsePax(byte[] p) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Instant mtime = null, atime = null;
        String path = null, sparseName = null, linkPath = null;
        if (p == null) return new Pax(out, null, null, null, null);
        int i = 0;
        while (i < p.length) {
            int sp = i;
            int len = 0;
            while (sp < p.length && p[sp] >= '0' && p[sp] <= '9') len = len * 10 + (p[sp++] - '0');
            if (sp >= p.length || p[sp] != ' ' || len <= 0 || i + len > p.length) break;
            int eq = sp + 1;
            while (eq < i + len && p[eq] != '=') eq++;
            if (eq >= i + len) break;
            String key = new String(p, sp + 1, eq - sp - 1, StandardCharsets.ISO_8859_1);
            int end = i + len - 1; // the record's trailing newline
            String bytes = new String(p, eq + 1, Math.max(0, end - eq - 1), StandardCharsets.ISO_8859_1);
            if (key.equals("path")) path = bytes;
            else if (key.equals("GNU.sparse.name")) sparseName = bytes;
            else if (key.equals("linkpath")) linkPath = bytes;
            else if (key.startsWith("SCHILY.xattr.")) {
                byte[] v = java.util.Arrays.copyOfRange(p, eq + 1, Math.max(eq + 1, end));
                out.put(key.substring("SCHILY.xattr.".length()), v);
            } else if (key.equals("mtime") || key.equals("atime")) {
                Instant t = parseTime(new String(p, eq + 1, Math.max(0, end - eq - 1), StandardCharsets.US_ASCII));
                if (key.equals("mtime")) mtime = t;
                else atime = t;
            }
            i += len;
        }
        return new Pax(out, mtime, atime, sparseName != null ? sparseName : path, linkPath);
    }

    /** A PAX time: decimal seconds, optionally negative, with a fraction of any length. */
    static Instant parseTime(String s) {
        try {
            boolean neg = s.startsWith("-");
            String t = neg ? s.substring(1) : s;
            int dot = t.indexOf('.');
            long sec = Long.parseLong(dot < 0 ? t : t.substring(0, dot));
            long nanos = 0;
            if (dot >= 0) {
                String frac = (t.substring(dot + 1) + "000000000").substring(0, 9);
                nanos = Long.parseLong(frac);
            }
            Instant i = Instant.ofEpochSecond(sec, nanos);
            return neg ? Instant.ofEpochSecond(0).minusSeconds(sec).minusNanos(nanos) : i;
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return null; // Commons Compress's own reading stands
        }
    }

    /** The size field: octal, or base-256 when the high bit of its first byte is set. */
    private static long parseSize(byte[] h) {
        if ((h[124] & 0x80) != 0) {
            long v = h[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) return -1;
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int i = 124; i < 136; i++) {
            byte c = h[i];
            if (c == 0 || c == ' ') {
                if (v > 0) break;
                continue;
            }
            if (c < '0' || c > '7') return -1;
            v = v * 8 + (c - '0');
        }
        return v;
    }
}
