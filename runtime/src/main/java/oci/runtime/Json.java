package oci.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
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
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.Extensible;

/**
 * The runtime's JSON: jackson-core's streaming parser and generator (the project's one JSON stack),
 * without databind, whose start-up (building serializers and deserializers by introspection) costs
 * more CPU in a fresh JVM than everything else `oci run` does. config.json is read to a tree and
 * bound to the same {@code RuntimeSpec} beans databind reads elsewhere (public fields,
 * {@code @JsonProperty} names honoured, unknown fields kept through the any-setter); the state
 * files are written from maps.
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

    // ---------------------------------------------------------------- bind a tree to the spec beans

    private static final ClassValue<Map<String, Field>> FIELDS = new ClassValue<>() {
        @Override
        protected Map<String, Field> computeValue(Class<?> c) {
            Map<String, Field> m = new HashMap<>();
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                JsonProperty jp = f.getAnnotation(JsonProperty.class);
                m.put(jp != null && !jp.value().isEmpty() ? jp.value() : f.getName(), f);
            }
            return m;
        }
    };

    private static Method putUnknown;

    /** Binds a parsed object to a new {@code cls} (a spec bean with public fields). */
    static <T> T bind(Object tree, Class<T> cls, String path) {
        if (!(tree instanceof Map<?, ?> m)) throw new ContainerException("config.json " + path + ": expected an object");
        try {
            T obj = cls.getDeclaredConstructor().newInstance();
            Map<String, Field> fields = FIELDS.get(cls);
            for (var e : m.entrySet()) {
                String name = (String) e.getKey();
                Field f = fields.get(name);
                if (f == null) {
                    if (obj instanceof Extensible) unknown(obj, name, e.getValue());
                    continue;
                }
                if (e.getValue() == null) continue;
                f.set(obj, convert(e.getValue(), f.getGenericType(), path.isEmpty() ? name : path + "." + name));
            }
            return obj;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("bind " + cls.getName(), e);
        }
    }

    private static void unknown(Object obj, String name, Object value) throws ReflectiveOperationException {
        if (putUnknown == null) {
            Method m = Extensible.class.getDeclaredMethod("putUnknown", String.class, Object.class);
            m.setAccessible(true);
            putUnknown = m;
        }
        putUnknown.invoke(obj, name, value);
    }

    private static Object convert(Object v, Type t, String path) {
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                if (!(v instanceof List<?> l)) throw new ContainerException("config.json " + path + ": expected an array");
                List<Object> out = new ArrayList<>(l.size());
                for (int k = 0; k < l.size(); k++) out.add(l.get(k) == null ? null : convert(l.get(k), args[0], path + "[" + k + "]"));
                return out;
            }
            if (Map.class.isAssignableFrom(raw)) {
                if (!(v instanceof Map<?, ?> m)) throw new ContainerException("config.json " + path + ": expected an object");
                Map<String, Object> out = new LinkedHashMap<>();
                for (var e : m.entrySet()) {
                    out.put((String) e.getKey(), e.getValue() == null ? null : convert(e.getValue(), args[1], path + "." + e.getKey()));
                }
                return out;
            }
            throw new IllegalStateException("unsupported field type " + t);
        }
        Class<?> c = (Class<?>) t;
        if (c == Object.class) return v;
        if (c == String.class) {
            if (v instanceof String s) return s;
            throw new ContainerException("config.json " + path + ": expected a string");
        }
        if (c == Boolean.class || c == boolean.class) {
            if (v instanceof Boolean b) return b;
            throw new ContainerException("config.json " + path + ": expected true or false");
        }
        if (c == Long.class || c == long.class || c == Integer.class || c == int.class || c == Double.class || c == double.class) {
            if (!(v instanceof Number n)) throw new ContainerException("config.json " + path + ": expected a number");
            if (c == Double.class || c == double.class) return n.doubleValue();
            // uint64 values above Long.MAX_VALUE (RLIM_INFINITY) keep their bits, as the spec's uint64 does.
            long l = n instanceof BigInteger b ? b.longValue() : n.longValue();
            if (c == Long.class || c == long.class) return l;
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw new ContainerException("config.json " + path + ": " + n + " is out of range");
            return (int) l;
        }
        if (Extensible.class.isAssignableFrom(c)) return bind(v, c, path);
        throw new IllegalStateException("unsupported field type " + c);
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
