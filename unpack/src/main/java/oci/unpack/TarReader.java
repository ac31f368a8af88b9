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
 *       values as UTF-8 and binary xattr values (security.capability) would not survive that.</li>
 * </ul>
 */
final class TarReader extends TarArchiveInputStream {
    /** Bound of one PAX header or GNU long name/link entry. */
    static final long MAX_META = 1 << 20;

    private ByteArrayOutputStream pax;
    private boolean capturing;
    private byte captureType;
    /** What the meta headers (PAX, GNU long name/link) before the coming real header said. */
    private byte[] pendingPax;
    private Boolean pendingLongNameUtf8, pendingLongLinkUtf8;
    private boolean extensionBlocks;
    /** The same, for the entry whose real header was read last. */
    private byte[] lastPax;
    private boolean nameUtf8 = true, linkUtf8 = true;

    TarReader(InputStream in) {
        super(in);
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] rec = super.readRecord();
        if (capturing) {
            byte[] data = pax.toByteArray();
            if (captureType == 'x') pendingPax = data;
            if (captureType == 'L') pendingLongNameUtf8 = isUtf8(data, 0, data.length);
            if (captureType == 'K') pendingLongLinkUtf8 = isUtf8(data, 0, data.length);
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
            if (type != 'g') {
                pax = new ByteArrayOutputStream();
                capturing = true;
                captureType = type;
            }
            return rec;
        }
        // an entry's own header: it takes what the meta headers before it said
        boolean posix = rec[257] == 'u' && rec[262] == 0; // POSIX ustar has a name prefix at 345; GNU keeps times there
        lastPax = pendingPax;
        nameUtf8 = pendingLongNameUtf8 != null ? pendingLongNameUtf8 : isUtf8(rec, 0, 100) && (!posix || isUtf8(rec, 345, 155));
        linkUtf8 = pendingLongLinkUtf8 != null ? pendingLongLinkUtf8 : isUtf8(rec, 157, 100);
        pendingPax = null;
        pendingLongNameUtf8 = pendingLongLinkUtf8 = null;
        extensionBlocks = type == 'S' && rec[482] != 0;
        return rec;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (capturing && n > 0) pax.write(b, off, n);
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

    /** Whether bytes [off, off+len) up to the first NUL are valid UTF-8. */
    static boolean isUtf8(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b, off, end - off));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Whether the current entry's name and link target came as UTF-8. Commons Compress turns other
     * bytes into '?' (header names) or U+FFFD (PAX values), which would write a different name.
     */
    boolean namesAreUtf8() {
        String paxText = lastPax == null ? "" : new String(lastPax, StandardCharsets.ISO_8859_1);
        // PAX values were decoded as UTF-8 (invalid bytes became U+FFFD, which the caller checks)
        boolean name = paxText.contains(" path=") || nameUtf8;
        boolean link = paxText.contains(" linkpath=") || linkUtf8;
        return name && link;
    }

    /** What the entry's PAX header says beyond Commons Compress's reading of it. */
    record Pax(Map<String, byte[]> xattrs, Instant mtime, Instant atime, boolean namesUtf8) {}

    /**
     * The entry's xattrs from PAX {@code SCHILY.xattr.NAME} records (values as raw bytes) and its
     * mtime/atime with all nine digits of nanoseconds (Commons Compress keeps 100 ns).
     */
    Pax pax() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        Instant mtime = null, atime = null;
        byte[] p = lastPax;
        if (p == null) return new Pax(out, null, null, namesAreUtf8());
        int i = 0;
        while (i < p.length) {
            int sp = i;
            int len = 0;
            while (sp < p.length && p[sp] >= '0' && p[sp] <= '9') len = len * 10 + (p[sp++] - '0');
            if (sp >= p.length || p[sp] != ' ' || len <= 0 || i + len > p.length) break;
            int eq = sp + 1;
            while (eq < i + len && p[eq] != '=') eq++;
            if (eq >= i + len) break;
            String key = new String(p, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            int end = i + len - 1; // the record's trailing newline
            if (key.startsWith("SCHILY.xattr.")) {
                byte[] v = java.util.Arrays.copyOfRange(p, eq + 1, Math.max(eq + 1, end));
                out.put(key.substring("SCHILY.xattr.".length()), v);
            } else if (key.equals("mtime") || key.equals("atime")) {
                Instant t = parseTime(new String(p, eq + 1, Math.max(0, end - eq - 1), StandardCharsets.US_ASCII));
                if (key.equals("mtime")) mtime = t;
                else atime = t;
            }
            i += len;
        }
        return new Pax(out, mtime, atime, namesAreUtf8());
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
