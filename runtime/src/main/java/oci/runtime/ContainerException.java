package oci.runtime;

import oci.image.ImageException;

/**
 * Every failure the runtime reports: one line that names the container, the config field or the
 * call that failed ("create container web: mount proc on \"/proc\": EPERM (...)").
 */
public class ContainerException extends ImageException {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A config field this runtime does not implement: refused, never silently ignored. */
    static ContainerException unsupported(String field, String why) {
        return new ContainerException("unsupported config field " + field + ": " + why);
    }
}
