package oci.linux;

import java.io.IOException;

/**
 * A failed libc call: which call, on what (a path, a pid), and the errno it set. The message reads
 * {@code lchown "etc/shadow": EPERM (Operation not permitted)}.
 */
public final class ErrnoException extends IOException {
    private final String call;
    private final String object;
    private final int errno;

    public ErrnoException(String call, String object, int errno) {
        super(call + (object == null ? "" : " \"" + object + "\"") + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.object = object;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public String object() {
        return object;
    }

    public int errno() {
        return errno;
    }
}
