package oci.image;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where a later stage reads blobs from. The store implements it; unpack reads layers through it and
 * never through the registry client.
 */
public interface BlobSource {
    /**
     * Opens the blob with {@code digest}. The stream yields exactly the stored bytes; verifying them
     * against the digest is the caller's choice (the store verified them when they were written).
     *
     * @throws ImageException when the blob is not there
     */
    InputStream open(Digest digest) throws IOException;

    /**
     * Marks a stream from {@link #open} that ends (returns -1) only once its source has verified the
     * blob's digest and size, and fails otherwise: a download the store hashed as it kept it. Its
     * reader need not hash the same bytes a second time.
     */
    interface Verified {}
}
