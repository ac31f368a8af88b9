package oci.runtime;

import java.nio.file.Path;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;

/**
 * Everything the runtime decided for one container before anything runs: the init's ordered
 * steps, the cgroup and what to write in it, the id maps to write for a new user namespace,
 * and the hooks to run. Pure data, asserted by unit tests.
 *
 * @param cgroupPath the cgroup path inside each hierarchy ("/oci/ID" unless cgroupsPath says)
 * @param uidMap lines for /proc/PID/uid_map (empty when no user namespace is created)
 */
public record ContainerPlan(InitPlan init, String cgroupPath, List<Cgroups.Setting> cgroupSettings,
                            String uidMap, String gidMap, RuntimeSpec.Hooks hooks, Path rootfs) {
    boolean hasHooks(List<RuntimeSpec.Hook> h) {
        return h != null && !h.isEmpty();
    }
}
