package oci.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import oci.bundle.spec.Extensible;
import oci.bundle.spec.RuntimeSpec;

/** Writes config.json the way runc lays it out (tab indents, {@code "key": value}), atomically. */
public final class ConfigFile {
    private ConfigFile() {}

    public static final String NAME = "config.json";

    /** runc's layout: tab indents, {@code "key": value}. */
    private static DefaultPrettyPrinter printer() {
        return new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
    }

    /** Made on first use: writing a spec needs no databind (see {@link #toBytes(RuntimeSpec)}). */
    private static final class Databind {
        static final ObjectWriter WRITER = RuntimeSpec.mapper().writer(printer());
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    /**
     * The spec as config.json. Written with jackson-core's generator, field by field as databind
     * would write the beans (public fields in declaration order, {@code @JsonProperty} names, nulls
     * left out, the unknown fields last): building databind's serializers costs more CPU in a fresh
     * JVM (`oci spec`, `oci bundle`) than all the rest of the command. A value of a type this
     * writer does not know goes to databind. ConfigFileTest compares the two.
     */
    public static byte[] toBytes(RuntimeSpec spec) {
        byte[] streamed = streamed(spec);
        return streamed != null ? streamed : databind(spec);
    }

    /** The same bytes written by databind's serializers (ConfigFileTest compares them). */
    static byte[] databind(RuntimeSpec spec) {
        try {
            return Databind.WRITER.writeValueAsBytes(spec);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The spec written by the generator; null if it holds a value of a type it does not write. */
    static byte[] streamed(RuntimeSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(printer());
            if (!value(g, spec)) return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** A bean's JSON properties: its public instance fields in declaration order, by JSON name. */
    private static final ClassValue<List<Map.Entry<String, Field>>> PROPERTIES = new ClassValue<>() {
        @Override
        protected List<Map.Entry<String, Field>> computeValue(Class<?> c) {
            // databind moves a property renamed by @JsonProperty after the others
            List<Map.Entry<String, Field>> all = new ArrayList<>(), renamed = new ArrayList<>();
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || Modifier.isStatic(m) || Modifier.isTransient(m)) continue;
                JsonProperty name = f.getAnnotation(JsonProperty.class);
                if (name != null && !name.value().isEmpty() && !name.value().equals(f.getName())) {
                    renamed.add(Map.entry(name.value(), f));
                } else {
                    all.add(Map.entry(f.getName(), f));
                }
            }
            all.addAll(renamed);
            return all;
        }
    };

    /** Writes {@code v}; false when it is (or holds) a value of a type this writer does not know. */
    private static boolean value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).intValue());
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (v instanceof Extensible bean && bean.getClass().getPackage() == RuntimeSpec.class.getPackage()) {
            g.writeStartObject();
            for (Map.Entry<String, Field> p : PROPERTIES.get(bean.getClass())) {
                Object fv;
                try {
                    fv = p.getValue().get(bean);
                } catch (IllegalAccessException e) {
                    return false;
                }
                if (fv == null) continue; // @JsonInclude(NON_NULL) on every bean
                g.writeFieldName(p.getKey());
                if (!value(g, fv)) return false;
            }
            for (Map.Entry<String, Object> e : bean.unknownFields().entrySet()) {
                g.writeFieldName(e.getKey());
                if (!value(g, e.getValue())) return false;
            }
            g.writeEndObject();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) return false;
                g.writeFieldName(k);
                if (!value(g, e.getValue())) return false;
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) if (!value(g, o)) return false;
            g.writeEndArray();
        } else {
            return false;
        }
        return true;
    }

    /** The same layout for any JSON tree (validate and tests print with it). */
    static byte[] toBytes(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return Databind.WRITER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code spec} as {@code dir/config.json}: a temp file beside it, synced, then renamed over it. */
    public static void write(Path dir, RuntimeSpec spec) throws IOException {
        writeAtomically(dir.resolve(NAME), toBytes(spec));
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = newTempFile(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(false);
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file beside {@code target} (mode 0600 until the caller sets it), named from a plain
     * random number, not Files.createTempFile's SecureRandom: seeding that loads the security
     * providers, ~10-20 ms of `oci spec`; the name needs no secrecy (CREATE_NEW never follows or
     * reuses an existing file), as the store's scratch files.
     */
    private static Path newTempFile(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        var owner = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        while (true) {
            Path p = dir.resolve("." + target.getFileName() + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(p, owner);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another writer's name: draw again
            }
        }
    }
}
