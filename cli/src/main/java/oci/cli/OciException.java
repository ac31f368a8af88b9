package oci.cli;

/** A failure the CLI itself detects (bad option values, a target that exists); carries its exit code. */
public final class OciException extends RuntimeException {
    private final int exitCode;

    public OciException(String message) {
        this(message, Main.EXIT_FAILURE);
    }

    public OciException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
