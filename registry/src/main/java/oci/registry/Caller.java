package oci.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import oci.image.ModelJson;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The one generic caller: runs an {@link Endpoint} on a client (whose interceptors add auth,
 * retries, the User-Agent and the redirect rule) and maps every failure to a one-line
 * {@link RegistryException}: "ACTION: METHOD URL: STATUS CODES message (hint)".
 */
final class Caller {
    private final OkHttpClient client;
    private final HttpUrl base;

    Caller(OkHttpClient client, HttpUrl base) {
        this.client = client;
        this.base = base;
    }

    HttpUrl base() {
        return base;
    }

    <T> T call(Endpoint<T> endpoint) {
        Request request = endpoint.request(base);
        try (Response response = client.newCall(request).execute()) {
            if (!endpoint.accepts(response.code())) throw fromResponse(endpoint.action(), request, response);
            return endpoint.handle(response);
        } catch (RegistryException e) {
            throw e;
        } catch (IOException e) {
            throw fromIo(endpoint.action(), request, e);
        }
    }

    static String describe(Request r) {
        return r.method() + " " + r.url().newBuilder().query(null).build();
    }

    /** A failed response: status, the distribution error codes of its body, and a hint for the usual causes. */
    static RegistryException fromResponse(String action, Request request, Response response) {
        int status = response.code();
        List<String> codes = new ArrayList<>();
        String detail = "";
        ResponseBody body = response.body();
        try {
            byte[] bytes = Bodies.readCapped(body, 64 * 1024);
            Object errors = bytes == null ? null : JsonText.object(ModelJson.tree(bytes, "error body")).get("errors");
            Iterable<?> each = errors instanceof List<?> l ? l : JsonText.object(errors).values();
            for (Object e : each) {
                Map<String, Object> error = JsonText.object(e);
                String code = JsonText.text(error.get("code"), "");
                if (!code.isEmpty()) codes.add(code);
                if (detail.isEmpty()) detail = JsonText.text(error.get("message"), "");
            }
        } catch (IOException | RuntimeException notJson) {
            // a body that is not the distribution error JSON: the status alone says enough
        }
        StringBuilder msg = new StringBuilder(action).append(": ").append(describe(request)).append(": ").append(status);
        if (!codes.isEmpty()) msg.append(' ').append(String.join(",", codes));
        if (!detail.isEmpty()) msg.append(" (").append(oneLine(detail)).append(')');
        String hint = switch (status) {
            case 401 -> "; authentication failed or required: check the user name and password (oci login " + hostPort(request.url()) + ")";
            case 403 -> "; access denied";
            case 404 -> codes.contains("BLOB_UNKNOWN") ? "; the registry does not have this blob"
                    : "; no such image or tag in " + hostPort(request.url());
            case 429 -> "; too many requests, try again later";
            default -> status >= 500 ? "; the registry failed, try again later" : "";
        };
        msg.append(hint);
        boolean temporary = status == 429 || status >= 500;
        return new RegistryException(msg.toString(), status, codes, temporary, null);
    }

    /** A failure without a response: resolve, connect, TLS, a cut or timed-out transfer. */
    static RegistryException fromIo(String action, Request request, IOException e) {
        String hp = hostPort(request.url());
        String why;
        boolean temporary = false;
        if (e instanceof UnknownHostException) {
            why = "cannot resolve registry host \"" + request.url().host() + "\" (check the image name and your network)";
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            // OkHttp's "Failed to connect to /127.0.0.1:5000" would say the address twice, Java's way; the
            // request's scheme neither (on loopback plain HTTP is tried too): the address and the reason
            String reason = rootMessage(e);
            if (reason.contains("Failed to connect to")) reason = "connection failed";
            return new RegistryException(action + ": cannot connect to " + hp + ": " + reason.toLowerCase(java.util.Locale.ROOT)
                    + " (is the registry running at that address?)", 0, List.of(), false, e);
        } else if (e instanceof SSLHandshakeException || (e instanceof SSLException && !(e.getCause() instanceof java.net.SocketException))) {
            why = "TLS handshake with " + hp + " failed: " + rootMessage(e)
                    + " (add the registry's CA to /etc/docker/certs.d/" + hp + "/ca.crt, or use --tls-verify=false)";
        } else if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            why = "timed out talking to " + hp;
            temporary = true;
        } else {
            why = "connection to " + hp + " failed: " + oneLine(String.valueOf(e.getMessage()));
            temporary = true;
        }
        return new RegistryException(action + ": " + describe(request) + ": " + why, 0, List.of(), temporary, e);
    }

    static String hostPort(HttpUrl url) {
        return url.host() + ":" + url.port();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return oneLine(String.valueOf(t.getMessage()));
    }

    static String oneLine(String s) {
        String l = s.replaceAll("\\s+", " ").trim();
        return l.length() > 300 ? l.substring(0, 300) + "…" : l;
    }
}
