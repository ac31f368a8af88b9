package oci.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * A FAKE registry (OkHttp's MockWebServer on 127.0.0.1) for faults a real registry cannot produce
 * on demand: connections cut mid-blob, 500s and 429s, redirects, swapped bodies, malformed or
 * oversized manifests. It serves manifests and blobs from maps; {@link #fault} may answer first.
 */
final class FakeRegistry implements AutoCloseable {
    final MockWebServer server = new MockWebServer();
    final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    /** Answers a request instead of the normal handling when it returns non-null. */
    volatile Function<RecordedRequest, MockResponse> fault = r -> null;
    /** When set, every request without this exact Authorization gets a Basic challenge. */
    volatile String requiredAuthorization;

    FakeRegistry() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.add(r);
                MockResponse f = fault.apply(r);
                if (f != null) return f;
                if (requiredAuthorization != null && !requiredAuthorization.equals(r.getHeader("Authorization"))) {
                    return new MockResponse().setResponseCode(401).addHeader("WWW-Authenticate", "Basic realm=\"fake\"")
                            .setBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                }
                String path = r.getPath() == null ? "" : r.getPath();
                if (path.equals("/v2/")) return new MockResponse().setBody("{}");
                int m = path.indexOf("/manifests/");
                if (m > 0) {
                    byte[] b = manifests.get(path.substring(m + 11));
                    if (b == null) return notFound("MANIFEST_UNKNOWN");
                    return new MockResponse().addHeader("Content-Type", manifestTypes.get(path.substring(m + 11))).setBody(new Buffer().write(b));
                }
                int bl = path.indexOf("/blobs/");
                if (bl > 0) {
                    byte[] b = blobs.get(path.substring(bl + 7));
                    if (b == null) return notFound("BLOB_UNKNOWN");
                    return blob(b, r.getHeader("Range"));
                }
                return notFound("NAME_UNKNOWN");
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    /** A blob answer honouring {@code Range: bytes=N-} with a 206. */
    static MockResponse blob(byte[] b, String range) {
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            int from = Integer.parseInt(range.substring(6, range.length() - 1));
            return new MockResponse().setResponseCode(206).addHeader("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length)
                    .setBody(new Buffer().write(b, from, b.length - from));
        }
        return new MockResponse().setBody(new Buffer().write(b));
    }

    static MockResponse notFound(String code) {
        return new MockResponse().setResponseCode(404).setBody("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not found\"}]}");
    }

    String hostPort() {
        return "127.0.0.1:" + server.getPort();
    }

    List<RecordedRequest> requestsTo(String pathPart) {
        return requests.stream().filter(r -> r.getPath() != null && r.getPath().contains(pathPart)).toList();
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
