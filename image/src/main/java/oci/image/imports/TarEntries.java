package oci.image.imports;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import oci.image.Digest;
import oci.image.ImageException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The entries of a tar archive (gzip-compressed or not, told by its magic bytes), read once from
 * start to end: an archive is a stream, and docker's manifest.json may come after the layers it
 * names. Every regular file is spooled to scratch while it is hashed, so no entry is ever held in
 * memory and a layer becomes a blob by a rename.
 */
final class TarEntries implements Entries {
    private static final int MAX_LINK_HOPS = 16;
    private final String source;
    private final Map<String, Spooled> files = new HashMap<>();
    /** Symbolic and hard links between entries (docker save links duplicate layers), cleaned targets. */
    private final Map<String, String> links = new HashMap<>();

    private TarEntries(String source) {
        this.source = source;
    }

    static TarEntries read(Path file, Scratch scratch) throws IOException {
        TarEntries t = new TarEntries(file.toString());
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 17)) {
            t.readAll(decompressed(raw), scratch);
        }
        return t;
    }

    /** gzip is recognised by its magic bytes (RFC 1952 §2.3.1), not by the file name. */
    private static InputStream decompressed(InputStream in) throws IOException {
        in.mark(4);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 17);
        return in;
    }

    private void readAll(InputStream in, Scratch scratch) {
        String current = null;
        String previous = null;
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        try {
            while (true) {
                previous = current == null ? previous : current;
                current = null;
                TarArchiveEntry e = tar.getNextEntry();
                if (e == null) break;
                current = e.getName();
                String name = e.isDirectory() ? Entries.cleanDirectory(source, e.getName()) : Entries.clean(source, e.getName());
                if (e.isDirectory()) continue; // carries nothing an import needs; its name was checked
                // A later entry of the same name replaces an earlier one, as tar extraction would.
                if (e.isSymbolicLink()) {
                    files.remove(name);
                    links.put(name, linkTarget(e.getName(), parentOf(name), e.getLinkName()));
                } else if (e.isLink()) {
                    String target = linkTarget(e.getName(), "", e.getLinkName());
                    // GNU tar stores a file named twice as a hard link to itself: what is there stays
                    if (target.equals(name) && (files.containsKey(name) || links.containsKey(name))) continue;
                    files.remove(name);
                    links.put(name, target);
                } else if (e.isFile()) {
                    files.remove(name);
                    links.remove(name);
                    Digest claimed = blobName(name);
                    Spooled s = scratch.copy(new Exactly(tar, e.getSize()), claimed == null ? null : claimed.algorithm());
                    if (s.size != e.getSize()) {
                        throw new ImportException(source, e.getName(), "truncated archive: the entry has " + s.size + " of its " + e.getSize() + " bytes");
                    }
                    if (claimed != null && !s.digest(claimed.algorithm()).equals(claimed)) {
                        throw new ImportException(source, e.getName(), "blob digest mismatch: content hashes to " + s.digest(claimed.algorithm()));
                    }
                    files.put(name, s);
                }
                // Directories and other entry types carry nothing an import needs.
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            // commons-compress reports some malformed headers (bad numbers) as IllegalArgumentException.
            String where = current != null ? "" : " at byte " + Math.max(0, tar.getBytesRead() - 512)
                    + (previous == null ? " (first header)" : " (the header after entry \"" + previous + "\")");
            String what = e instanceof EOFException || e instanceof ZipException || String.valueOf(e.getMessage()).contains("Truncated")
                    ? "truncated or corrupt archive" : "corrupt archive";
            throw new ImportException(source, current, what + where + ": " + message(e));
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The digest an entry named {@code blobs/<alg>/<hex>} claims, or null. */
    static Digest blobName(String name) {
        String[] p = name.split("/");
        if (p.length != 3 || !p[0].equals("blobs")) return null;
        try {
            return new Digest(p[1], p[2]);
        } catch (ImageException notADigest) {
            return null;
        }
    }

    private static String parentOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }

    /** Resolves a link target against {@code base}; refuses targets outside the archive. */
    private String linkTarget(String entry, String base, String target) {
        if (target.startsWith("/")) throw new ImportException(source, entry, "link to absolute path \"" + target + "\" leaves the archive");
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        if (!base.isEmpty()) for (String p : base.split("/")) parts.addLast(p);
        for (String p : target.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (parts.isEmpty()) throw new ImportException(source, entry, "link to \"" + target + "\" leaves the archive");
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        if (parts.isEmpty()) throw new ImportException(source, entry, "link to \"" + target + "\" names the archive root");
        return String.join("/", parts);
    }

    private String follow(String name) {
        String n = name;
        for (int i = 0; i < MAX_LINK_HOPS && links.containsKey(n); i++) n = links.get(n);
        if (links.containsKey(n)) throw new ImportException(source, name, "links loop or chain longer than " + MAX_LINK_HOPS);
        return n;
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public boolean has(String name) {
        return files.containsKey(follow(name));
    }

    @Override
    public Spooled spool(String name, String algorithm) throws IOException {
        Spooled s = files.get(follow(name));
        if (s == null) throw new ImportException(source, name, "missing from the archive");
        s.digest(algorithm);
        return s;
    }

    @Override
    public void close() {}

    /** Reads at most {@code size} bytes of the current entry. */
    private static final class Exactly extends FilterInputStream {
        private long left;

        Exactly(InputStream in, long size) {
            super(in);
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }

        @Override
        public void close() {}
    }
}
