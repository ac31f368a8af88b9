package oci.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;

/**
 * The runtime-spec state of a container (runtime.md "State"), plus what `oci list` shows.
 *
 * @param status creating, created, running or stopped
 * @param pid the container's process as seen from the host; 0 when stopped
 */
@JsonPropertyOrder({"ociVersion", "id", "status", "pid", "bundle", "annotations"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerState(String ociVersion, String id, String status, long pid, String bundle,
                             Map<String, String> annotations, @JsonIgnore String created, @JsonIgnore String owner) {
    /** The state JSON as the spec defines it (what `oci state` prints and hooks read on stdin). */
    public byte[] toJson() {
        try {
            return RuntimeSpec.mapper().writeValueAsBytes(this);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonIgnore
    public boolean isRunning() {
        return status.equals("running") || status.equals("created");
    }
}
