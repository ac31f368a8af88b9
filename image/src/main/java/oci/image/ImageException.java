package oci.image;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

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

    /**
     * The cause of a failed file operation as a user reads it ({@code permission denied: /var/lib/oci/store/.lock}),
     * without the Java class name that {@code IOException.toString()} puts first.
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String file = f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile());
            if (e instanceof AccessDeniedException) return "permission denied: " + file;
            if (e instanceof NoSuchFileException) return "no such file or directory: " + file;
            if (e instanceof FileAlreadyExistsException) return "file exists: " + file;
            if (e instanceof NotDirectoryException) return "not a directory: " + file;
            if (f.getReason() != null) return f.getReason().toLowerCase(java.util.Locale.ROOT) + ": " + file;
            return file + ": " + e.getClass().getSimpleName();
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }
}
