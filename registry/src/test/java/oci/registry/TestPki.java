package oci.registry;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test keys and certificates made with Bouncy Castle: a CA, certificates it signs, PEM files, bcrypt htpasswd lines. */
final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    record Issued(KeyPair keys, X509Certificate cert) {
        /** Writes {@code NAME.crt}/{@code NAME.cert} style files: the certificate and its key as PEM. */
        void write(Path cert, Path key) throws IOException {
            Files.writeString(cert, pem(this.cert));
            Files.writeString(key, pkcs8(keys.getPrivate()));
        }
    }

    private TestPki() {}

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA. */
    static Issued ca(String cn) {
        KeyPair k = ec();
        return new Issued(k, build(cn, k, cn, k, true, false));
    }

    /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}. */
    static Issued server(Issued ca) {
        KeyPair k = ec();
        return new Issued(k, build("127.0.0.1", k, subject(ca), ca.keys(), false, true));
    }

    /** A client certificate signed by {@code ca}. */
    static Issued client(Issued ca, String cn) {
        KeyPair k = ec();
        return new Issued(k, build(cn, k, subject(ca), ca.keys(), false, false));
    }

    /** A client certificate with an RSA key (written as PKCS#1 "RSA PRIVATE KEY" by {@link #pem}). */
    static Issued clientRsa(Issued ca, String cn) {
        KeyPair k = rsa();
        return new Issued(k, build(cn, k, subject(ca), ca.keys(), false, false));
    }

    /** A self-signed RSA certificate for signing registry tokens (RS256). */
    static Issued tokenSigner() {
        KeyPair k = rsa();
        return new Issued(k, build("oci test token signer", k, "oci test token signer", k, false, false));
    }

    private static String subject(Issued ca) {
        return ca.cert().getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    }

    private static X509Certificate build(String cn, KeyPair subjectKeys, String issuerCn, KeyPair issuerKeys, boolean isCa, boolean serverSan) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerCn), new BigInteger(64, RANDOM),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=" + cn),
                    subjectKeys.getPublic());
            if (isCa) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            }
            if (serverSan) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            String alg = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object o) {
        try {
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(o);
            }
            return sw.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private key as PKCS#8 PEM ("PRIVATE KEY"), which Go's TLS stack and ours both read. */
    static String pkcs8(java.security.PrivateKey k) {
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(k.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** An htpasswd line with a bcrypt hash, as distribution's htpasswd auth reads it. */
    static String htpasswd(String user, String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return user + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5) + "\n";
    }
}
