package oci.bundle.spec;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the JSON fields a model class does not know, so reading and writing a config.json never
 * drops what another tool (or a newer spec) put there.
 */
public abstract class Extensible {
    private final Map<String, Object> unknown = new LinkedHashMap<>();

    @JsonAnySetter
    void putUnknown(String name, Object value) {
        unknown.put(name, value);
    }

    /** Fields this model does not know, by JSON name. */
    @JsonAnyGetter
    public Map<String, Object> unknownFields() {
        return unknown;
    }
}
