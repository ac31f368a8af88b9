package oci.runtime;

import java.util.List;
import java.util.Map;

/**
 * What the runtime keeps on disk per container ({@code ROOT/ID/state.json}); written by create,
 * read by every other command under the container's lock.
 *
 * @param pidStart start time of {@code pid} (field 22 of /proc/PID/stat), to recognise a reused pid
 * @param pidns whether the container has its own pid namespace (then killing pid 1 ends it all)
 */
record Saved(String ociVersion, String id, long pid, long pidStart, String bundle, Map<String, String> annotations,
             String created, String owner, List<String> cgroupDirs, boolean pidns, boolean ready) {}
