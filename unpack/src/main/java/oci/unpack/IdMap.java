package oci.unpack;

import java.util.List;

/**
 * One range of an id mapping: container ids {@code containerId .. containerId+size-1} are host ids
 * {@code hostId ..}; written {@code C:H:S} as umoci's and the runtime spec's uidMappings.
 */
public record IdMap(long containerId, long hostId, long size) {
    public IdMap {
        if (containerId < 0 || hostId < 0 || size <= 0 || containerId + size > 1L << 32 || hostId + size > 1L << 32) {
            throw new UnpackException("invalid id map " + containerId + ":" + hostId + ":" + size
                    + ": ids must be 0..4294967295 and the size at least 1");
        }
    }

    /** Parses {@code C:H:S}. */
    public static IdMap parse(String s) {
        String[] p = s.split(":", -1);
        try {
            if (p.length == 3) return new IdMap(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new UnpackException("invalid id map \"" + s + "\": expected CONTAINER:HOST:SIZE, e.g. 0:100000:65536");
    }

    /** The host id of container id {@code id} under {@code maps}; the id itself when {@code maps} is empty. */
    static long toHost(List<IdMap> maps, long id, String what) {
        if (maps.isEmpty()) return id;
        for (IdMap m : maps) {
            if (id >= m.containerId && id < m.containerId + m.size) return m.hostId + (id - m.containerId);
        }
        throw new UnpackException(what + " " + id + " is outside the id map " + maps);
    }

    @Override
    public String toString() {
        return containerId + ":" + hostId + ":" + size;
    }
}
