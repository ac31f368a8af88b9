package oci.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * An image platform. {@link #parse} reads {@code os/arch[/variant]}; {@link #normalized} maps the
 * aliases and default variants the way containerd's platforms package does, so that
 * {@code linux/aarch64}, {@code linux/arm64} and {@code linux/arm64/v8} are the same platform.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image-index.md, platform</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        @JsonProperty("variant") String variant) {

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(architecture, os, null, null, variant);
    }

    public static Platform parse(String s) {
        String[] parts = s == null ? new String[0] : s.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new ImageException("invalid platform \"" + s + "\": expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7");
        }
        for (String p : parts) {
            if (p.isEmpty() || !p.matches("[A-Za-z0-9_.-]+")) {
                throw new ImageException("invalid platform \"" + s + "\": empty or malformed component \"" + p + "\"");
            }
        }
        return of(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT),
                parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : null);
    }

    /** The platform of the running JVM's host, normalised. */
    public static Platform host() {
        String arch = System.getProperty("os.arch");
        return of("linux", arch, null).normalized();
    }

    /** Aliases resolved and default variants filled in (containerd's Normalize). */
    public Platform normalized() {
        String a = architecture == null ? "" : architecture.toLowerCase(Locale.ROOT);
        String v = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
        switch (a) {
            case "i386", "i486", "i586", "i686" -> { a = "386"; v = ""; }
            case "x86_64", "x86-64", "amd64" -> {
                a = "amd64";
                if (v.equals("v1")) v = "";
            }
            case "aarch64", "arm64" -> {
                a = "arm64";
                if (v.equals("8") || v.equals("v8") || v.isEmpty()) v = "v8";
            }
            case "armhf" -> { a = "arm"; v = "v7"; }
            case "armel" -> { a = "arm"; v = "v6"; }
            case "arm" -> {
                if (v.isEmpty() || v.equals("7")) v = "v7";
                else if (v.equals("5") || v.equals("6") || v.equals("8")) v = "v" + v;
            }
            default -> { }
        }
        String o = os == null ? "" : os.toLowerCase(Locale.ROOT);
        if (o.equals("macos")) o = "darwin";
        return new Platform(a, o, osVersion, osFeatures, v.isEmpty() ? null : v);
    }

    /**
     * Whether an image built for {@code candidate} runs on this (wanted) platform: os, architecture
     * and variant equal after normalisation. amd64 with no variant matches amd64/v1 (the default).
     */
    public boolean matches(Platform candidate) {
        if (candidate == null) return false;
        Platform w = normalized();
        Platform c = candidate.normalized();
        return eq(w.os, c.os) && eq(w.architecture, c.architecture) && eq(w.variant, c.variant);
    }

    private static boolean eq(String a, String b) {
        return (a == null ? "" : a).equals(b == null ? "" : b);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
