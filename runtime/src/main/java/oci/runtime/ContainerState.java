package oci.runtime;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runtime-spec state of a container (runtime.md "State"), plus what `oci list` shows.
 *
 * @param status creating, created, running or stopped (runtime.md), or paused (runc's addition)
 * @param pid the container's process as seen from the host; 0 when stopped
 */
public record ContainerState(String ociVersion, String id, String status, long pid, String bundle,
                             Map<String, String> annotations, String created, String owner) {
    /** The state JSON as the spec defines it (what `oci state` prints and hooks read on stdin). */
    public byte[] toJson() {
        return Json.write(fields()).getBytes(StandardCharsets.UTF_8);
    }

    /** The same, indented (what `oci state` prints, as runc does). */
    public String toPrettyJson() {
        return Json.writePretty(fields());
    }

    private Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", ociVersion);
        m.put("id", id);
        m.put("status", status);
        m.put("pid", pid);
        m.put("bundle", bundle);
        if (annotations != null && !annotations.isEmpty()) m.put("annotations", annotations);
        return m;
    }

    /** created or running: the container's process exists. */
    public boolean isRunning() {
        return status.equals("running") || status.equals("created");
    }
}
