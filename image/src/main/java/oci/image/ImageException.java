package oci.image;

/**
 * Base of every failure the image model and the store report. The message is one line that names
 * what was wrong (a digest, a file, an entry) so the CLI can print it as it is.
 */
public class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
