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
 * The runtime's former config.json binder, by reflection over the beans' public fields: kept here
 * as the reference SpecBinderTest holds {@link SpecBinder} to (same objects, same messages).
 */
final class ReflectiveBinder {
    private ReflectiveBinder() {}


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

}
