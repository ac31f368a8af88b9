package oci.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runtime keeps on disk per container ({@code ROOT/ID/state.json}); written by create,
 * read by every other command under the container's lock.
 *
 * @param pidStart start time of {@code pid} (field 22 of /proc/PID/stat), to recognise a reused pid
 * @param pidns whether the container has its own pid namespace (then killing pid 1 ends it all)
 * @param callersKeyring created with --no-new-keyring: an exec keeps its caller's session keyring too
 * @param stateOnly start, state, kill and delete need nothing but this file (no poststart or poststop
 *     hooks, no mounts made in the host's namespace): the launcher's native front end
 *     (runtime/src/native/fastrun.c) may do them without a JVM
 */
record Saved(String ociVersion, String id, long pid, long pidStart, String bundle, Map<String, String> annotations,
             String created, String owner, List<String> cgroupDirs, boolean pidns, boolean ready, boolean callersKeyring,
             boolean stateOnly) {
    /**
     * {@code t.toString()} (ISO-8601 in UTC, the fraction in groups of three digits), the way the
     * JDK's ISO_INSTANT printer makes it: a LocalDateTime's text, ":00" when its seconds are zero
     * (LocalTime leaves them out), the fraction, "Z". Without DateTimeFormatter, whose first use
     * sets up ~50 classes on a create's path (3-4 ms measured with -Xlog:class+load). Years outside
     * 1970-9999 take Instant.toString itself.
     */
    static String timestamp(java.time.Instant t) {
        long s = t.getEpochSecond();
        int nano = t.getNano();
        if (s < 0 || s >= 253_402_300_800L) return t.toString();
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(s, 0, java.time.ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30).append(d);
        if (d.getSecond() == 0) b.append(":00");
        if (nano != 0) {
            String digits = Integer.toString(1_000_000_000 + nano).substring(1);
            b.append('.').append(digits, 0, nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9);
        }
        return b.append('Z').toString();
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", ociVersion);
        m.put("id", id);
        m.put("pid", pid);
        m.put("pidStart", pidStart);
        m.put("bundle", bundle);
        m.put("annotations", annotations);
        m.put("created", created);
        m.put("owner", owner);
        m.put("cgroupDirs", cgroupDirs);
        m.put("pidns", pidns);
        m.put("ready", ready);
        if (callersKeyring) m.put("callersKeyring", true);
        if (stateOnly) m.put("stateOnly", true);
        return Json.write(m);
    }

    @SuppressWarnings("unchecked")
    static Saved fromJson(String text, String what) {
        if (!(Json.parse(text, what) instanceof Map<?, ?> m)) throw new ContainerException("parse " + what + ": not an object");
        try {
            return new Saved((String) m.get("ociVersion"), (String) m.get("id"), ((Number) m.get("pid")).longValue(),
                    ((Number) m.get("pidStart")).longValue(), (String) m.get("bundle"), (Map<String, String>) m.get("annotations"),
                    (String) m.get("created"), (String) m.get("owner"), (List<String>) m.get("cgroupDirs"),
                    (Boolean) m.get("pidns"), (Boolean) m.get("ready"), Boolean.TRUE.equals(m.get("callersKeyring")),
                    Boolean.TRUE.equals(m.get("stateOnly")));
        } catch (ClassCastException | NullPointerException e) {
            throw new ContainerException("parse " + what + ": a field is missing or has the wrong type");
        }
    }
}
