package oci.testdata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds tar archives entry by entry for tests: any entry type, hostile names included (nothing is
 * normalised). PAX headers carry long names, large ids and nanosecond times.
 *
 * <pre>{@code byte[] layer = Tar.build().dir("etc").file("etc/hostname", "box\n").symlink("l", "/etc").bytes();}</pre>
 */
public final class Tar {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out;
    private Instant mtime = Instant.parse("2024-01-02T03:04:05.123456789Z");

    private Tar(boolean bytewise) {
        out = bytewise ? new TarArchiveOutputStream(buf, StandardCharsets.ISO_8859_1.name()) : new TarArchiveOutputStream(buf);
        out.setLongFileMode(bytewise ? TarArchiveOutputStream.LONGFILE_GNU : TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        out.setAddPaxHeadersForNonAsciiNames(!bytewise);
    }

    public static Tar build() {
        return new Tar(false);
    }

    /**
     * A tar whose names are bytes, as GNU tar's default format writes them: each char of a name
     * (0-255) is one byte in the header or GNU long name, so {@code "raw-\u00ff\u00fe"} is the name
     * {@code raw-\xff\xfe}, not UTF-8. No PAX path records.
     */
    public static Tar bytewise() {
        return new Tar(true);
    }

    /** The mtime given to the entries added after this call. */
    public Tar mtime(Instant t) {
        this.mtime = t;
        return this;
    }

    public Tar dir(String name) {
        return dir(name, 0755);
    }

    public Tar dir(String name, int mode) {
        return entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode, null, e -> {});
    }

    public Tar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public Tar file(String name, byte[] content, int mode) {
        return entry(name, TarConstants.LF_NORMAL, mode, content, e -> {});
    }

    public Tar symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, 0777, null, e -> e.setLinkName(target));
    }

    public Tar hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, 0644, null, e -> e.setLinkName(target));
    }

    public Tar charDevice(String name, int major, int minor) {
        return entry(name, TarConstants.LF_CHR, 0666, null, e -> {
            e.setDevMajor(major);
            e.setDevMinor(minor);
        });
    }

    public Tar blockDevice(String name, int major, int minor) {
        return entry(name, TarConstants.LF_BLK, 0660, null, e -> {
            e.setDevMajor(major);
            e.setDevMinor(minor);
        });
    }

    public Tar fifo(String name) {
        return entry(name, TarConstants.LF_FIFO, 0644, null, e -> {});
    }

    /** {@code .wh.NAME} in NAME's directory: hides NAME of lower layers. */
    public Tar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(name, new byte[0], 0644);
    }

    /** {@code DIR/.wh..wh..opq}: hides everything of lower layers below DIR. */
    public Tar opaque(String dir) {
        return file((dir.isEmpty() || dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", new byte[0], 0644);
    }

    /** Adds an entry and lets {@code tweak} set anything (owner, xattrs, mode bits...) before it is written. */
    public Tar entry(String name, byte type, int mode, byte[] content, Consumer<TarArchiveEntry> tweak) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(mode);
        e.setLastModifiedTime(FileTime.from(mtime));
        e.setUserId(0);
        e.setGroupId(0);
        if (content != null) e.setSize(content.length);
        tweak.accept(e);
        try {
            out.putArchiveEntry(e);
            if (content != null) out.write(content);
            out.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /** Regular file with owner and extended attributes (PAX {@code SCHILY.xattr.*}). */
    public Tar file(String name, byte[] content, int mode, int uid, int gid, Map<String, String> xattrs) {
        return entry(name, TarConstants.LF_NORMAL, mode, content, e -> {
            e.setUserId(uid);
            e.setGroupId(gid);
            xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
        });
    }

    /** The finished, uncompressed tar. */
    public byte[] bytes() {
        try {
            out.finish();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }
}
