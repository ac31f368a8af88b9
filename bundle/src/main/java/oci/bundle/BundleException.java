package oci.bundle;

import oci.image.ImageException;

/** A bundle that cannot be made as asked: a bad option value, an unknown user, a DIR in the way. One line. */
public class BundleException extends ImageException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
