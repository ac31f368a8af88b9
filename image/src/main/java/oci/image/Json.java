package oci.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/**
 * The one ObjectMapper, for JSON read as a tree (JsonNode) or bound to classes outside the image
 * model. The image model itself (index, manifests, descriptors, configs) is read and written by
 * {@link ModelJson} with jackson-core alone: databind's start-up is what short commands cannot pay.
 */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    /** Parses {@code bytes} as {@code type}; failures name {@code what} (a file, a digest). */
    public static <T> T read(byte[] bytes, Class<T> type, String what) {
        try {
            T v = MAPPER.readValue(bytes, type);
            if (v == null) throw new ImageException(what + ": empty JSON document");
            return v;
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            // A validating constructor (Digest, Descriptor) refused a value: its message says what was wrong.
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof ImageException ie) throw new ImageException(what + ": " + firstLine(ie.getMessage()));
            }
            throw new ImageException(what + ": malformed JSON: " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            // Jackson wraps exceptions thrown by our validating constructors.
            Throwable c = e;
            while (c.getCause() != null && !(c instanceof ImageException)) c = c.getCause();
            throw new ImageException(what + ": " + firstLine(c.getMessage()));
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String firstLine(String s) {
        return ModelJson.firstLine(s);
    }
}
