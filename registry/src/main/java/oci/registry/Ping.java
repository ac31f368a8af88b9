package oci.registry;

import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/** {@code GET /v2/}: is a registry there, and how does it want to be authenticated (distribution spec, "Determining support"). */
final class Ping implements Endpoint<Response> {
    private final String action;
    private final boolean requireOk;

    /** A probe: 200 and 401 both mean "a registry is here". */
    Ping(String registry) {
        this("contact registry " + registry, false);
    }

    /** With {@code requireOk}, only 200 is accepted (a login check: the credentials were taken). */
    Ping(String action, boolean requireOk) {
        this.action = action;
        this.requireOk = requireOk;
    }

    @Override
    public String action() {
        return action;
    }

    @Override
    public Request request(HttpUrl base) {
        return new Request.Builder().url(base.resolve("/v2/")).build();
    }

    @Override
    public boolean accepts(int status) {
        return status == 200 || (!requireOk && status == 401);
    }

    @Override
    public Response handle(Response response) {
        return response;
    }
}
