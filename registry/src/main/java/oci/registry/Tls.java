package oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for one registry host: the system trust store plus the CAs ({@code *.crt}) of the host's
 * certs.d directory, and a client certificate ({@code NAME.cert} with {@code NAME.key}) when there is one;
 * the same layout Docker ({@code /etc/docker/certs.d/HOST:PORT/}) and the containers tools use.
 * Keys may be PKCS#1, SEC1 or PKCS#8 PEM, read with Bouncy Castle (PemKeys).
 */
final class Tls {
    private Tls() {}

    /** What OkHttp needs; null fields mean "OkHttp's defaults". */
    record Setup(javax.net.ssl.SSLSocketFactory factory, X509TrustManager trust, HostnameVerifier verifier) {
        static final Setup DEFAULT = new Setup(null, null, null);
    }

    static Setup forHost(String hostPort, List<Path> dirs, boolean verify) {
        try {
            List<X509Certificate> cas = new ArrayList<>();
            KeyManager[] keyManagers = null;
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir)) continue;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    List<Path> sorted = new ArrayList<>();
                    files.forEach(sorted::add);
                    sorted.sort(null);
                    for (Path f : sorted) {
                        String name = f.getFileName().toString();
                        if (name.endsWith(".crt")) cas.addAll(readCerts(f));
                        if (name.endsWith(".cert") && keyManagers == null) {
                            Path key = f.resolveSibling(name.substring(0, name.length() - 5) + ".key");
                            if (!Files.isRegularFile(key)) {
                                throw new RegistryException("TLS setup for " + hostPort + ": client certificate " + f + " has no key " + key.getFileName());
                            }
                            keyManagers = keyManagers(readCerts(f), readKey(key));
                        }
                    }
                }
            }
            if (verify && cas.isEmpty() && keyManagers == null) return Setup.DEFAULT;
            X509TrustManager trust = verify ? withExtraCas(cas) : TRUST_ALL;
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers, new TrustManager[] {trust}, null);
            return new Setup(ctx.getSocketFactory(), trust, verify ? null : (h, s) -> true);
        } catch (IOException | GeneralSecurityException e) {
            throw new RegistryException("TLS setup for " + hostPort + ": " + Caller.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private static List<X509Certificate> readCerts(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
            if (out.isEmpty()) throw new RegistryException("TLS setup: " + f + " holds no PEM certificate");
            return out;
        } catch (CertificateException e) {
            throw new RegistryException("TLS setup: " + f + ": not a PEM certificate: " + Caller.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private static PrivateKey readKey(Path f) throws IOException {
        PrivateKey key = IsolatedPemKeys.read(f);
        if (key == null) throw new RegistryException("TLS setup: " + f + ": not an unencrypted PEM private key");
        return key;
    }

    private static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "oci".toCharArray();
        ks.setKeyEntry("client", key, pw, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        return kmf.getKeyManagers();
    }

    /** The system trust store, and {@code cas} besides it. */
    private static X509TrustManager withExtraCas(List<X509Certificate> cas) throws GeneralSecurityException, IOException {
        X509TrustManager system = trustManager(null);
        if (cas.isEmpty()) return system;
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < cas.size(); i++) ks.setCertificateEntry("ca" + i, cas.get(i));
        X509TrustManager extra = trustManager(ks);
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                system.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    extra.checkServerTrusted(chain, authType);
                } catch (CertificateException notOurs) {
                    system.checkServerTrusted(chain, authType);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                X509Certificate[] a = system.getAcceptedIssuers();
                X509Certificate[] b = extra.getAcceptedIssuers();
                X509Certificate[] all = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                return all;
            }
        };
    }

    private static X509TrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) if (tm instanceof X509TrustManager x) return x;
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /** For {@code --tls-verify=false} only: the user chose to accept any certificate. */
    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
