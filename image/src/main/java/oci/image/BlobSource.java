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
}
