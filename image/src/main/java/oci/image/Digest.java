package oci.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:encoded}, validated on construction.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">descriptor.md, Digests</a>
 */
public record Digest(String algorithm, String encoded) {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        Pattern p = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new ImageException("invalid digest \"" + algorithm + ":" + encoded
                    + "\": unsupported algorithm \"" + algorithm + "\" (sha256 and sha512 are supported)");
        };
        if (encoded == null || !p.matcher(encoded).matches()) {
            throw new ImageException("invalid digest \"" + algorithm + ":" + encoded + "\": " + algorithm
                    + " needs " + (algorithm.equals("sha256") ? 64 : 128) + " lowercase hex characters");
        }
    }

    @JsonCreator
    public static Digest parse(String s) {
        if (s == null) throw new ImageException("invalid digest: missing");
        int colon = s.indexOf(':');
        if (colon <= 0) throw new ImageException("invalid digest \"" + s + "\": expected algorithm:hex");
        return new Digest(s.substring(0, colon), s.substring(colon + 1));
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return compute("sha256", bytes);
    }

    /**
     * The digest of {@code bytes} held in memory (a manifest, a config): with the JDK's hasher, which
     * is ready at once, while binding libcrypto costs a command that hashes only a few KiB more than it saves.
     */
    public static Digest compute(String algorithm, byte[] bytes) {
        return of(algorithm, jdkHasher(algorithm).digest(bytes));
    }

    public static Digest of(String algorithm, byte[] rawDigest) {
        return new Digest(algorithm, HexFormat.of().formatHex(rawDigest));
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest hasher() {
        return newHasher(algorithm);
    }

    /**
     * A fresh hasher for {@code algorithm} ("sha256" or "sha512"): OpenSSL's libcrypto through FFM
     * when the system has it (full speed from the first byte, see {@link OpenSslDigest}), else the JDK's.
     */
    public static MessageDigest newHasher(String algorithm) {
        MessageDigest fast = OpenSslDigest.create(algorithm);
        return fast != null ? fast : jdkHasher(algorithm);
    }

    /**
     * A fresh hasher for {@code size} bytes (-1: unknown). A small blob is hashed by the JDK unless
     * libcrypto is bound already: binding it through FFM costs more than the JDK's slower start
     * hashes away in a few MiB. Otherwise as {@link #newHasher(String)}, which waits for the binding.
     */
    public static MessageDigest newHasher(String algorithm, long size) {
        if (size >= 0 && size < SMALL && !fastSettled) return jdkHasher(algorithm);
        MessageDigest h = newHasher(algorithm);
        fastSettled = true; // the binding has been tried, whatever came of it
        return h;
    }

    /**
     * As {@link #newHasher(String, long)}, but null instead of waiting while libcrypto is being bound
     * on {@link #prepareFastHasher}'s thread: a writer can store bytes meanwhile and hash them later.
     */
    public static MessageDigest readyHasher(String algorithm, long size) {
        if (fastWanted && !fastSettled && !(size >= 0 && size < SMALL)) return null;
        return newHasher(algorithm, size);
    }

    /** Below this size a blob is hashed by the JDK unless libcrypto is bound already (see above). */
    public static final long SMALL = 8L << 20;

    private static volatile boolean fastWanted;
    private static volatile boolean fastSettled;

    /**
     * Binds libcrypto on a daemon thread, for a command that will soon hash a lot (a pull of more
     * than {@link #SMALL} bytes): the binding (~0.05-0.1 s of FFM set-up in a fresh JVM) then
     * overlaps the network and the first bytes' writing (see {@link #readyHasher}).
     */
    public static void prepareFastHasher() {
        if (fastWanted) return;
        fastWanted = true;
        Thread.ofPlatform().daemon().name("oci-digest-init").start(() -> {
            OpenSslDigest.available();
            fastSettled = true;
        });
    }

    /** The JDK's own hasher for {@code algorithm}. */
    static MessageDigest jdkHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first 12 hex characters, as {@code docker images} shows ids. */
    public String shortHex() {
        return encoded.substring(0, 12);
    }

    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }

    // Written out, not the record's own: those are invokedynamic call sites whose first call builds
    // method handles (~8 classes spun, 10-20 ms in a fresh JVM), and a pull's first equals is the
    // check of the top manifest's digest, on the path of every later request.
    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && algorithm.equals(d.algorithm) && encoded.equals(d.encoded);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + encoded.hashCode();
    }
}
