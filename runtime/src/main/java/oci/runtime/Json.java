package oci.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's JSON: jackson-core's streaming parser and generator (the project's one JSON stack),
 * without databind, whose start-up (building serializers and deserializers by introspection) costs
 * more CPU in a fresh JVM than everything else `oci run` does. config.json is read to a tree,
 * which {@link SpecBinder} binds to the same {@code RuntimeSpec} beans databind reads elsewhere;
 * the state files are written from maps.
 */
final class Json {
    private Json() {}

    /** Thread-safe once configured; its symbol tables are shared by every parser it makes. */
    private static final JsonFactory FACTORY = new JsonFactory();

    // ---------------------------------------------------------------- parse to a tree

    /** Parses JSON text to Map (insertion-ordered), List, String, Long/BigInteger/Double, Boolean or null. */
    static Object parse(String text, String what) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) throw new ContainerException("parse " + what + ": line 1: unexpected end of input");
            Object v = value(p);
            if (p.nextToken() != null) throw error(what, p.currentLocation(), "unexpected text after the JSON value");
            return v;
        } catch (JsonProcessingException e) {
            throw error(what, e.getLocation(), e.getOriginalMessage());
        } catch (IOException e) {
            throw new ContainerException("parse " + what + ": " + e.getMessage(), e);
        }
    }

    private static ContainerException error(String what, JsonLocation at, String msg) {
        int nl = msg == null ? -1 : msg.indexOf('\n');
        String first = msg == null ? "malformed JSON" : nl < 0 ? msg : msg.substring(0, nl);
        return new ContainerException("parse " + what + ": line " + (at == null ? 1 : Math.max(at.getLineNr(), 1)) + ": " + first);
    }

    /** The value that starts at the parser's current token. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                p.nextToken();
                m.put(name, value(p));
            }
            return m;
        }
        if (t == JsonToken.START_ARRAY) {
            List<Object> l = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) l.add(value(p));
            return l;
        }
        if (t == JsonToken.VALUE_STRING) return p.getText();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) return p.getLongValue();
            BigInteger b = p.getBigIntegerValue();
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
        if (t == JsonToken.VALUE_TRUE) return Boolean.TRUE;
        if (t == JsonToken.VALUE_FALSE) return Boolean.FALSE;
        if (t == JsonToken.VALUE_NULL) return null;
        throw new IllegalStateException("unexpected " + t); // the parser hands out no other token here
    }

    // ---------------------------------------------------------------- write

    /** Writes maps, lists, strings, numbers, booleans and null as compact JSON. */
    static String write(Object v) {
        return generate(v, false);
    }

    /** As {@link #write(Object)}, indented by two spaces per level, {@code "key": value} (what `oci state` prints, as runc does). */
    static String writePretty(Object v) {
        return generate(v, true);
    }

    /** runc's (Go's json.MarshalIndent) layout: every member and element on a line of its own, {} and [] when empty. */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));

    private static String generate(Object v, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) g.setPrettyPrinter(PRETTY.createInstance());
            write(g, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        // An if chain, not a pattern switch: the switch's bootstrap spins a class at run time,
        // which costs start-up on every create.
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer n) {
            g.writeNumber(n);
        } else if (v instanceof Long n) {
            g.writeNumber(n);
        } else if (v instanceof BigInteger n) {
            g.writeNumber(n);
        } else if (v instanceof Double n) {
            g.writeNumber(n);
        } else if (v instanceof Number n) {
            g.writeNumber(n.toString());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (var e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) write(g, o);
            g.writeEndArray();
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
        }
    }

    /** Appends {@code s} as a JSON string literal. */
    static void quote(StringBuilder sb, String s) {
        sb.append(write(s));
    }
}
