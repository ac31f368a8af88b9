package oci.registry;

import java.util.List;
import oci.image.ImageException;

/**
 * A failure talking to a registry. The message is one line, "verb object: cause", e.g.
 * {@code pull manifest 127.0.0.1:5000/app:1: GET http://127.0.0.1:5000/v2/app/manifests/1: 404 MANIFEST_UNKNOWN}.
 * Callers branch on {@link #status()}, {@link #codes()} and {@link #isTemporary()}, never on the text.
 *
 * <p>Messages never contain a password or token: requests are described by method and URL only.
 */
public class RegistryException extends ImageException {
    private final int status;
    private final List<String> codes;
    private final boolean temporary;

    public RegistryException(String message, int status, List<String> codes, boolean temporary, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.codes = codes == null ? List.of() : List.copyOf(codes);
        this.temporary = temporary;
    }

    public RegistryException(String message) {
        this(message, 0, List.of(), false, null);
    }

    /** The HTTP status, or 0 when no response came (unknown host, refused connection, TLS failure). */
    public int status() {
        return status;
    }

    /** The distribution error codes of the response body (MANIFEST_UNKNOWN, UNAUTHORIZED...). */
    public List<String> codes() {
        return codes;
    }

    /** Whether trying again later may succeed (5xx, 429, a connection reset). */
    public boolean isTemporary() {
        return temporary;
    }

    /** The same failure with {@code prefix + ": "} in front of the message (each layer adds what it knows). */
    RegistryException within(String prefix) {
        return new RegistryException(prefix + ": " + getMessage(), status, codes, temporary, getCause() != null ? getCause() : this);
    }
}
