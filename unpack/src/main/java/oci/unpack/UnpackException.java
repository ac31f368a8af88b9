package oci.unpack;

import oci.image.ImageException;

/**
 * An image or tar stream that could not be unpacked. The message is one line naming the layer, the
 * entry and the cause: {@code unpack layer sha256:…: entry "etc/shadow": lchown: EPERM (…)}.
 */
public class UnpackException extends ImageException {
    public UnpackException(String message) {
        super(message);
    }

    public UnpackException(String message, Throwable cause) {
        super(message, cause);
    }
}
