package oci.registry;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link PemKeys} where Bouncy Castle is not on the class path. The launcher starts a pull from a
 * jar whose class path leaves it out: java.util.logging, which OkHttp starts, scans the whole class
 * path for a logging service, and Bouncy Castle's ~7,800 entries were most of that scan (~30 ms of
 * every pull's CPU). A pull with a client certificate then loads PemKeys a second time, in a class
 * loader of its own that sees this jar, the Bouncy Castle jars beside it (the build's lib/) and the JDK.
 */
final class IsolatedPemKeys {
    private IsolatedPemKeys() {}

    /** As {@link PemKeys#read}, with Bouncy Castle from this class path or else from beside this jar. */
    static PrivateKey read(Path f) throws IOException {
        try {
            return PemKeys.read(f);
        } catch (NoClassDefFoundError noBouncyCastle) {
            return read(f, besideThisJar());
        }
    }

    /** {@link PemKeys#read} of a copy of PemKeys loaded, with {@code jars}, by a class loader that sees only them, its own code and the JDK. */
    static PrivateKey read(Path f, List<URL> jars) throws IOException {
        URL own = IsolatedPemKeys.class.getProtectionDomain().getCodeSource().getLocation();
        List<URL> urls = new ArrayList<>(jars);
        urls.addFirst(own);
        Method read;
        // (not closed: the key may load classes from it later, while TLS uses it)
        URLClassLoader loader = new URLClassLoader("oci-pem-keys", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        try {
            read = Class.forName(PemKeys.class.getName(), true, loader).getDeclaredMethod("read", Path.class);
            read.setAccessible(true);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw missing(f, own);
        }
        try {
            return (PrivateKey) read.invoke(null, f);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof LinkageError) {
                throw missing(f, own);
            }
            throw new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static IOException missing(Path f, URL own) {
        return new IOException("reading " + f + " needs Bouncy Castle (bcprov, bcpkix, bcutil), found neither on the class path nor beside " + own);
    }

    /** The Bouncy Castle jars in the directory of the jar this class came from; none when it came from a directory. */
    private static List<URL> besideThisJar() throws IOException {
        List<URL> jars = new ArrayList<>();
        Path own;
        try {
            own = Path.of(IsolatedPemKeys.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return jars;
        }
        if (!Files.isRegularFile(own)) return jars;
        try (DirectoryStream<Path> beside = Files.newDirectoryStream(own.getParent(), "bc{prov,pkix,util}-*.jar")) {
            for (Path jar : beside) jars.add(jar.toUri().toURL());
        }
        return jars;
    }
}
