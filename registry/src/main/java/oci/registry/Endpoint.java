package oci.registry;

import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One registry endpoint (manifest GET, blob GET, token fetch, ping): its request and what it makes
 * of a successful response. {@link Caller} runs it and turns failures into a {@link RegistryException}
 * whose message starts with {@link #action()}.
 */
interface Endpoint<T> {
    /** What the user asked for, e.g. {@code pull manifest 127.0.0.1:5000/app:1}; the first words of every error. */
    String action();

    /** The request against {@code base} (scheme, host and port of the registry). */
    Request request(HttpUrl base);

    /** Whether a response with this status is handed to {@link #handle} rather than treated as a failure. */
    default boolean accepts(int status) {
        return status >= 200 && status < 300;
    }

    /** Reads an accepted response. An IOException here (a cut connection) is a temporary failure. */
    T handle(Response response) throws IOException;
}
