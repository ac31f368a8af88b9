package oci.image;

import java.nio.file.Path;

/**
 * The user's directories as the XDG base directory spec and docker name them: {@code $HOME} (as
 * Go's os.UserHomeDir and the shell read it, so {@code HOME=/x oci …} works as with docker and
 * skopeo; the JVM's user.home is the passwd entry), then {@code $XDG_CONFIG_HOME} and
 * {@code $XDG_DATA_HOME} with their defaults below it.
 */
public final class UserDirs {
    private UserDirs() {}

    public static Path home() {
        String home = System.getenv("HOME");
        return home != null && home.startsWith("/") ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
    public static Path configHome() {
        return xdg("XDG_CONFIG_HOME", ".config");
    }

    /** {@code $XDG_DATA_HOME}, else {@code ~/.local/share}. */
    public static Path dataHome() {
        return xdg("XDG_DATA_HOME", ".local/share");
    }

    // the spec: a relative value is invalid and is ignored
    private static Path xdg(String variable, String underHome) {
        String v = System.getenv(variable);
        return v != null && v.startsWith("/") ? Path.of(v) : home().resolve(underHome);
    }
}
