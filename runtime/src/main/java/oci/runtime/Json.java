package oci.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * A small JSON reader and writer for the runtime's start path. Jackson's databind costs a large
 * part of a second of CPU to start in a fresh JVM, more than everything else `oci run` does; this
 * reads config.json into the same {@code RuntimeSpec} beans (public fields, {@code @JsonProperty}
 * names honoured, unknown fields kept through the any-setter) and writes the state files.
 */
final class Json {
    private Json() {}

    // ---------------------------------------------------------------- parse to a tree

    /** Parses JSON text to Map (insertion-ordered), List, String, Long/BigInteger/Double, Boolean or null. */
    static Object parse(String text, String what) {
        Json.Parser p = new Json.Parser(text, what);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw p.error("unexpected text after the JSON value");
        return v;
    }

    private static final class Parser {
        final String s;
        final String what;
        int i;

        Parser(String s, String what) {
            this.s = s;
            this.what = what;
        }

        ContainerException error(String msg) {
            int line = 1;
            for (int k = 0; k < Math.min(i, s.length()); k++) if (s.charAt(k) == '\n') line++;
            return new ContainerException("parse " + what + ": line " + line + ": " + msg);
        }

        void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        Object value() {
            if (i >= s.length()) throw error("unexpected end of input");
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) return m;
                    while (true) {
                        ws();
                        if (i >= s.length() || s.charAt(i) != '"') throw error("expected a field name");
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value());
                        ws();
                        if (peek('}')) return m;
                        expect(',');
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) return l;
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        if (peek(']')) return l;
                        expect(',');
                    }
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    word("true");
                    return Boolean.TRUE;
                }
                case 'f' -> {
                    word("false");
                    return Boolean.FALSE;
                }
                case 'n' -> {
                    word("null");
                    return null;
                }
                default -> {
                    return number();
                }
            }
        }

        boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!peek(c)) throw error("expected '" + c + "'");
        }

        void word(String w) {
            if (!s.startsWith(w, i)) throw error("unexpected character");
            i += w.length();
        }

        String string() {
            i++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw error("control character in a string");
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (i >= s.length()) throw error("unterminated string");
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("bad \\u escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        Object number() {
            int start = i;
            if (peek('-')) { /* sign */ }
            while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(start, i);
            if (n.isEmpty() || n.equals("-")) throw error("unexpected character");
            try {
                if (n.contains(".") || n.contains("e") || n.contains("E")) return Double.parseDouble(n);
                BigInteger b = new BigInteger(n);
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            } catch (NumberFormatException x) {
                throw error("bad number \"" + n + "\"");
            }
        }
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
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    /** As {@link #write(Object)}, indented by two spaces per level (what `oci state` prints, as runc does). */
    static String writePretty(Object v) {
        StringBuilder sb = new StringBuilder();
        pretty(sb, v, "");
        return sb.toString();
    }

    private static void pretty(StringBuilder sb, Object v, String indent) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            sb.append("{\n");
            int k = 0;
            for (var e : m.entrySet()) {
                sb.append(indent).append("  ");
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                pretty(sb, e.getValue(), indent + "  ");
                sb.append(++k < m.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            sb.append("[\n");
            for (int k = 0; k < l.size(); k++) {
                sb.append(indent).append("  ");
                pretty(sb, l.get(k), indent + "  ");
                sb.append(k + 1 < l.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else {
            write(sb, v);
        }
    }

    private static void write(StringBuilder sb, Object v) {
        // An if chain, not a pattern switch: the switch's bootstrap spins a class at run time,
        // which costs start-up on every create.
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) sb.append(',');
                write(sb, l.get(k));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
        }
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
