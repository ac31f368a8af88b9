package oci.registry;

import java.io.IOException;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/** Reading small response bodies (manifests, tokens, errors) with a cap a hostile server cannot exceed. */
final class Bodies {
    private Bodies() {}

    /** The whole body, or null when it is longer than {@code cap} bytes. */
    static byte[] readCapped(ResponseBody body, long cap) throws IOException {
        if (body.contentLength() > cap) return null;
        BufferedSource s = body.source();
        if (s.request(cap + 1)) return null;
        return s.getBuffer().readByteArray();
    }
}
