package oci.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The native init (runtime/src/native/init.c, built by Maven into the jar as a resource). Run
 * from a file: straight from target/classes in a build tree, otherwise extracted once per content
 * into the state root. The init copies itself into a sealed memfd before doing anything else.
 */
final class InitBinary {
    private InitBinary() {}

    static final String RESOURCE = "oci-init";

    /**
     * Finds the resource and reads its digest, as {@link #path} does first, and drops the result:
     * the first lookup in the runtime jar loads the jar URL handling (tens of milliseconds), which
     * {@link Containers#warmUp} does on a thread of its own. Reads only.
     */
    static void warmUp() throws IOException {
        URL url = InitBinary.class.getResource(RESOURCE);
        if (url == null || url.getProtocol().equals("file")) return;
        try (InputStream in = InitBinary.class.getResourceAsStream(RESOURCE + ".sha256")) {
            if (in != null) in.readAllBytes();
        }
    }

    /** 16 lowercase hex digits (a loop, not a stream: this is on every create's and exec's path). */
    private static boolean isDigest(String s) {
        if (s.length() != 16) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    static Path path(Path stateRoot) {
        URL url = InitBinary.class.getResource(RESOURCE);
        if (url == null) throw new ContainerException("the native init is missing from the runtime jar (build with gcc installed)");
        try {
            if (url.getProtocol().equals("file")) return Path.of(url.toURI());
            // The build records the binary's digest beside it: an extracted copy is found by name
            // without reading (and hashing) the whole resource on every start.
            String sum;
            try (InputStream in = InitBinary.class.getResourceAsStream(RESOURCE + ".sha256")) {
                if (in == null) throw new ContainerException("the native init's digest is missing from the runtime jar");
                sum = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
            if (!isDigest(sum)) throw new ContainerException("bad native init digest \"" + sum + "\" in the runtime jar");
            Path target = stateRoot.resolve(".oci-init-" + sum);
            if (Files.isExecutable(target)) return target;
            byte[] bin;
            try (InputStream in = url.openStream()) {
                bin = in.readAllBytes();
            }
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bin)).substring(0, 16);
            if (!actual.equals(sum)) throw new ContainerException("the native init in the runtime jar does not match its digest");
            StateFiles.makeRoot(stateRoot);
            Path tmp = Files.createTempFile(stateRoot, ".oci-init", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(tmp, bin);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException | java.net.URISyntaxException | NoSuchAlgorithmException e) {
            throw new ContainerException("extract the native init into " + stateRoot + ": " + e.getMessage(), e);
        }
    }
}
