package oci.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image model's JSON (index, manifest, descriptor, config) read and written with jackson-core's
 * streaming parser and generator. databind built the same records by reflection, which cost every
 * short command ~0.1 s of start-up (bench/startup.sh): its introspection cannot be archived. The
 * rules are databind's as {@link Json} configured it, so documents read and write as before: unknown
 * properties skipped, scalars coerced to the declared type, the last of duplicate keys kept;
 * records written in component order with empty values left out (NON_EMPTY), maps and lists as
 * they are; pretty output with Jackson's {@link DefaultPrettyPrinter}.
 */
public final class ModelJson {
    private ModelJson() {}

    private static final JsonFactory FACTORY = new JsonFactory();

    /** Reads one value at the parser's current token. */
    interface ValueReader<T> {
        T read(JsonParser p) throws IOException;
    }

    public static Index index(byte[] bytes, String what) {
        return parse(bytes, what, ModelJson::index);
    }

    public static Manifest manifest(byte[] bytes, String what) {
        return parse(bytes, what, ModelJson::manifest);
    }

    public static ImageConfig config(byte[] bytes, String what) {
        return parse(bytes, what, ModelJson::config);
    }

    /**
     * Any JSON document as plain Java values (LinkedHashMap, ArrayList, String, Integer, Long,
     * BigInteger, Double, Boolean, null): what databind's tree held, for printing it again.
     */
    public static Object tree(byte[] bytes, String what) {
        return parse(bytes, what, ModelJson::any);
    }

    /** Compact JSON of a model record, a map, a list or a scalar. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            value(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** As {@link #write}, indented as databind's default pretty printer does. */
    public static String pretty(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            value(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Parses one document; failures name {@code what} (a file, a digest), as {@link Json#read} does. */
    static <T> T parse(byte[] bytes, String what, ValueReader<T> reader) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new JsonParseException(p, "No content to map due to end-of-input");
            if (t == JsonToken.VALUE_NULL) throw new ImageException("empty JSON document");
            return reader.read(p);
        } catch (ImageException e) {
            // A validating constructor (Digest, Descriptor) refused a value: its message says what was wrong.
            throw new ImageException(what + ": " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new ImageException(what + ": malformed JSON: " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            Throwable c = e;
            while (c.getCause() != null && !(c instanceof ImageException)) c = c.getCause();
            throw new ImageException(what + ": " + firstLine(c.getMessage()));
        }
    }

    /** The first line of a parser's message, its location kept as "[line: 1, column: 32]". */
    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        // Jackson's location says "[Source: REDACTED (...); line: 1, column: 32]": keep the line and column.
        return line.replaceAll("\\[Source: .*?; line:", "[line:");
    }

    // ---- the model ----

    static Index index(JsonParser p) throws IOException {
        start(p, "oci.image.Index");
        int schemaVersion = 0;
        String mediaType = null;
        List<Descriptor> manifests = null;
        Map<String, String> annotations = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "schemaVersion" -> schemaVersion = intValue(p);
                case "mediaType" -> mediaType = string(p);
                case "manifests" -> manifests = list(p, ModelJson::descriptor);
                case "annotations" -> annotations = map(p, ModelJson::string);
                default -> p.skipChildren();
            }
        }
        return new Index(schemaVersion, mediaType, manifests, annotations);
    }

    static Manifest manifest(JsonParser p) throws IOException {
        start(p, "oci.image.Manifest");
        int schemaVersion = 0;
        String mediaType = null, artifactType = null;
        Descriptor config = null, subject = null;
        List<Descriptor> layers = null;
        Map<String, String> annotations = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "schemaVersion" -> schemaVersion = intValue(p);
                case "mediaType" -> mediaType = string(p);
                case "artifactType" -> artifactType = string(p);
                case "config" -> config = descriptor(p);
                case "layers" -> layers = list(p, ModelJson::descriptor);
                case "subject" -> subject = descriptor(p);
                case "annotations" -> annotations = map(p, ModelJson::string);
                default -> p.skipChildren();
            }
        }
        return new Manifest(schemaVersion, mediaType, artifactType, config, layers, subject, annotations);
    }

    static Descriptor descriptor(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        start(p, "oci.image.Descriptor");
        String mediaType = null, artifactType = null;
        Digest digest = null;
        long size = 0;
        List<String> urls = null;
        Map<String, String> annotations = null;
        Platform platform = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "mediaType" -> mediaType = string(p);
                case "digest" -> digest = digest(p);
                case "size" -> size = longValue(p);
                case "urls" -> urls = list(p, ModelJson::string);
                case "annotations" -> annotations = map(p, ModelJson::string);
                case "platform" -> platform = platform(p);
                case "artifactType" -> artifactType = string(p);
                default -> p.skipChildren();
            }
        }
        return new Descriptor(mediaType, digest, size, urls, annotations, platform, artifactType);
    }

    static Platform platform(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        start(p, "oci.image.Platform");
        String architecture = null, os = null, osVersion = null, variant = null;
        List<String> osFeatures = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "architecture" -> architecture = string(p);
                case "os" -> os = string(p);
                case "os.version" -> osVersion = string(p);
                case "os.features" -> osFeatures = list(p, ModelJson::string);
                case "variant" -> variant = string(p);
                default -> p.skipChildren();
            }
        }
        return new Platform(architecture, os, osVersion, osFeatures, variant);
    }

    static ImageConfig config(JsonParser p) throws IOException {
        start(p, "oci.image.ImageConfig");
        String created = null, author = null, architecture = null, os = null, osVersion = null, variant = null;
        List<String> osFeatures = null;
        ImageConfig.Config config = null;
        ImageConfig.RootFs rootfs = null;
        List<ImageConfig.History> history = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "created" -> created = string(p);
                case "author" -> author = string(p);
                case "architecture" -> architecture = string(p);
                case "os" -> os = string(p);
                case "os.version" -> osVersion = string(p);
                case "os.features" -> osFeatures = list(p, ModelJson::string);
                case "variant" -> variant = string(p);
                case "config" -> config = execution(p);
                case "rootfs" -> rootfs = rootfs(p);
                case "history" -> history = list(p, ModelJson::history);
                default -> p.skipChildren();
            }
        }
        return new ImageConfig(created, author, architecture, os, osVersion, osFeatures, variant, config, rootfs, history);
    }

    private static ImageConfig.Config execution(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        start(p, "oci.image.ImageConfig$Config");
        String user = null, workingDir = null, stopSignal = null;
        Map<String, Object> exposedPorts = null, volumes = null;
        List<String> env = null, entrypoint = null, cmd = null;
        Map<String, String> labels = null;
        Boolean argsEscaped = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "User" -> user = string(p);
                case "ExposedPorts" -> exposedPorts = map(p, ModelJson::any);
                case "Env" -> env = list(p, ModelJson::string);
                case "Entrypoint" -> entrypoint = list(p, ModelJson::string);
                case "Cmd" -> cmd = list(p, ModelJson::string);
                case "Volumes" -> volumes = map(p, ModelJson::any);
                case "WorkingDir" -> workingDir = string(p);
                case "Labels" -> labels = map(p, ModelJson::string);
                case "StopSignal" -> stopSignal = string(p);
                case "ArgsEscaped" -> argsEscaped = bool(p);
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.Config(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped);
    }

    private static ImageConfig.RootFs rootfs(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        start(p, "oci.image.ImageConfig$RootFs");
        String type = null;
        List<Digest> diffIds = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "type" -> type = string(p);
                case "diff_ids" -> diffIds = list(p, ModelJson::digest);
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.RootFs(type, diffIds);
    }

    private static ImageConfig.History history(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        start(p, "oci.image.ImageConfig$History");
        String created = null, createdBy = null, author = null, comment = null;
        Boolean emptyLayer = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "created" -> created = string(p);
                case "created_by" -> createdBy = string(p);
                case "author" -> author = string(p);
                case "comment" -> comment = string(p);
                case "empty_layer" -> emptyLayer = bool(p);
                default -> p.skipChildren();
            }
        }
        return new ImageConfig.History(created, createdBy, author, comment, emptyLayer);
    }

    // ---- values, coerced as databind's defaults do ----

    private static void start(JsonParser p, String type) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw mismatch(p, type);
    }

    private static JsonParseException mismatch(JsonParser p, String type) {
        return new JsonParseException(p, "Cannot deserialize value of type `" + type + "` from " + describe(p.currentToken()));
    }

    private static String describe(JsonToken t) {
        if (t == null) return "end-of-input";
        return switch (t) {
            case START_ARRAY -> "Array value (token `JsonToken.START_ARRAY`)";
            case START_OBJECT -> "Object value (token `JsonToken.START_OBJECT`)";
            case VALUE_STRING -> "String value (token `JsonToken.VALUE_STRING`)";
            case VALUE_NUMBER_INT -> "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
            case VALUE_NUMBER_FLOAT -> "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
            case VALUE_TRUE, VALUE_FALSE -> "Boolean value (token `JsonToken." + t.name() + "`)";
            default -> "token `JsonToken." + t.name() + "`";
        };
    }

    /** A string; other scalars as their text (databind coerces them); null as null. */
    static String string(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) return null;
        if (t != null && t.isScalarValue()) return p.getText();
        throw mismatch(p, "java.lang.String");
    }

    private static Digest digest(JsonParser p) throws IOException {
        String s = string(p);
        return s == null ? null : Digest.parse(s);
    }

    private static int intValue(JsonParser p) throws IOException {
        long v = longValue(p);
        if (v != (int) v) throw new JsonParseException(p, "Numeric value (" + p.getText() + ") out of range of int");
        return (int) v;
    }

    private static long longValue(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return (long) p.getDoubleValue();
            case VALUE_NULL:
                return 0;
            case VALUE_STRING:
                String s = p.getText().trim();
                if (s.isEmpty()) return 0;
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw new JsonParseException(p, "Cannot deserialize value of type `long` from String \"" + s + "\": not a valid `long` value");
                }
            default:
                throw mismatch(p, "long");
        }
    }

    private static Boolean bool(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case VALUE_NUMBER_INT:
                return p.getLongValue() != 0;
            case VALUE_STRING:
                String s = p.getText().trim();
                if (s.equalsIgnoreCase("true")) return Boolean.TRUE;
                if (s.equalsIgnoreCase("false")) return Boolean.FALSE;
                if (s.isEmpty()) return null;
                throw new JsonParseException(p, "Cannot deserialize value of type `java.lang.Boolean` from String \"" + s + "\": only \"true\" or \"false\" recognized");
            default:
                throw mismatch(p, "java.lang.Boolean");
        }
    }

    private static <T> List<T> list(JsonParser p, ValueReader<T> element) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        if (p.currentToken() != JsonToken.START_ARRAY) throw mismatch(p, "java.util.ArrayList");
        List<T> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) out.add(element.read(p));
        return out;
    }

    private static <T> Map<String, T> map(JsonParser p, ValueReader<T> value) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        if (p.currentToken() != JsonToken.START_OBJECT) throw mismatch(p, "java.util.LinkedHashMap");
        Map<String, T> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            out.put(k, value.read(p));
        }
        return out;
    }

    /** Any value, as databind's untyped ("natural") mapping holds it. */
    static Object any(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> map(p, ModelJson::any);
            case START_ARRAY -> list(p, ModelJson::any);
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw mismatch(p, "java.lang.Object");
        };
    }

    // ---- writing ----

    private static void value(JsonGenerator g, Object v) throws IOException {
        // an instanceof chain, not a pattern switch: that one spins a class on its first run (the
        // class-data archive keeps none), paid by every short command that prints JSON
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Short s) {
            g.writeNumber(s);
        } else if (v instanceof Byte b) {
            g.writeNumber(b);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (v instanceof Digest d) {
            g.writeString(d.toString());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) value(g, o);
            g.writeEndArray();
        } else if (v instanceof Index i) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", i.schemaVersion());
            field(g, "mediaType", i.mediaType());
            field(g, "manifests", i.manifests());
            field(g, "annotations", i.annotations());
            g.writeEndObject();
        } else if (v instanceof Manifest m) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", m.schemaVersion());
            field(g, "mediaType", m.mediaType());
            field(g, "artifactType", m.artifactType());
            field(g, "config", m.config());
            field(g, "layers", m.layers());
            field(g, "subject", m.subject());
            field(g, "annotations", m.annotations());
            g.writeEndObject();
        } else if (v instanceof Descriptor d) {
            g.writeStartObject();
            field(g, "mediaType", d.mediaType());
            field(g, "digest", d.digest());
            g.writeNumberField("size", d.size());
            field(g, "urls", d.urls());
            field(g, "annotations", d.annotations());
            field(g, "platform", d.platform());
            field(g, "artifactType", d.artifactType());
            g.writeEndObject();
        } else if (v instanceof Platform p) {
            g.writeStartObject();
            field(g, "architecture", p.architecture());
            field(g, "os", p.os());
            field(g, "os.version", p.osVersion());
            field(g, "os.features", p.osFeatures());
            field(g, "variant", p.variant());
            g.writeEndObject();
        } else if (v instanceof ImageConfig c) {
            g.writeStartObject();
            field(g, "created", c.created());
            field(g, "author", c.author());
            field(g, "architecture", c.architecture());
            field(g, "os", c.os());
            field(g, "os.version", c.osVersion());
            field(g, "os.features", c.osFeatures());
            field(g, "variant", c.variant());
            field(g, "config", c.config());
            field(g, "rootfs", c.rootfs());
            field(g, "history", c.history());
            g.writeEndObject();
        } else if (v instanceof ImageConfig.Config c) {
            g.writeStartObject();
            field(g, "User", c.user());
            field(g, "ExposedPorts", c.exposedPorts());
            field(g, "Env", c.env());
            field(g, "Entrypoint", c.entrypoint());
            field(g, "Cmd", c.cmd());
            field(g, "Volumes", c.volumes());
            field(g, "WorkingDir", c.workingDir());
            field(g, "Labels", c.labels());
            field(g, "StopSignal", c.stopSignal());
            field(g, "ArgsEscaped", c.argsEscaped());
            g.writeEndObject();
        } else if (v instanceof ImageConfig.RootFs r) {
            g.writeStartObject();
            field(g, "type", r.type());
            field(g, "diff_ids", r.diffIds());
            g.writeEndObject();
        } else if (v instanceof ImageConfig.History h) {
            g.writeStartObject();
            field(g, "created", h.created());
            field(g, "created_by", h.createdBy());
            field(g, "author", h.author());
            field(g, "comment", h.comment());
            field(g, "empty_layer", h.emptyLayer());
            g.writeEndObject();
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    /** A record component, left out when empty (databind's JsonInclude.Include.NON_EMPTY). */
    private static void field(JsonGenerator g, String name, Object v) throws IOException {
        if (v == null
                || v instanceof String s && s.isEmpty()
                || v instanceof Collection<?> c && c.isEmpty()
                || v instanceof Map<?, ?> m && m.isEmpty()) {
            return;
        }
        g.writeFieldName(name);
        value(g, v);
    }
}
