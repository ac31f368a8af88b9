package oci.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The registry's JSON (token responses, error bodies, the top of a manifest, config files) read with
 * jackson-core: a streaming parser, or {@link oci.image.ModelJson#tree} for a whole document as maps
 * and lists. databind's tree cost a pull its first-use start-up (~0.1 s of a fresh JVM's CPU, which
 * its class-data archive does not save). Values are coerced as databind's {@code JsonNode.asText},
 * {@code asLong} and {@code asBoolean} do, so documents read as before.
 */
public final class JsonText {
    private JsonText() {}

    /** Thread-safe; its symbol tables are shared by the parsers it makes. */
    static final JsonFactory FACTORY = new JsonFactory();

    /** The scalar at the parser's current token as text; {@code absent} for null; "" for an object or array (which is left unread). */
    static String scalarText(JsonParser p, String absent) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null || t == JsonToken.VALUE_NULL) return absent;
        if (t.isScalarValue()) return p.getText();
        return "";
    }

    // (instanceof chains, not pattern switches: each of those makes the JVM generate a class at its
    // first use, ~10 ms of a fresh JVM's CPU that the class-data archive does not keep)

    /** A tree value (from ModelJson.tree) as text: strings as they are, other scalars as their text, {@code absent} for null or missing, "" for an object or array. */
    public static String text(Object v, String absent) {
        if (v == null) return absent;
        if (v instanceof String s) return s;
        if (v instanceof Map<?, ?> || v instanceof List<?>) return "";
        return String.valueOf(v);
    }

    /** A tree value as a boolean: true/false, "true"/"false", a number (non-zero is true); {@code absent} otherwise. */
    public static boolean bool(Object v, boolean absent) {
        if (v instanceof Boolean b) return b;
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof String s) {
            String t = s.trim();
            if (t.equals("true")) return true;
            if (t.equals("false")) return false;
        }
        return absent;
    }

    /** A tree value's members when it is an object, else none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
