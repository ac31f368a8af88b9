package oci.bundle;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import oci.bundle.spec.RuntimeSpec;

/** Writes config.json the way runc lays it out (tab indents, {@code "key": value}), atomically. */
public final class ConfigFile {
    private ConfigFile() {}

    public static final String NAME = "config.json";

    private static final ObjectWriter WRITER = RuntimeSpec.mapper().writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("\t", "\n"))
            .withArrayIndenter(new DefaultIndenter("\t", "\n")));

    public static byte[] toBytes(RuntimeSpec spec) {
        try {
            return WRITER.writeValueAsBytes(spec);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same layout for any JSON tree (validate and tests print with it). */
    static byte[] toBytes(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return WRITER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code spec} as {@code dir/config.json}: a temp file beside it, synced, then renamed over it. */
    public static void write(Path dir, RuntimeSpec spec) throws IOException {
        writeAtomically(dir.resolve(NAME), toBytes(spec));
    }

    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
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
}
