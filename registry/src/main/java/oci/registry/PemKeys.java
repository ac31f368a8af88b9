package oci.registry;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A client certificate's PEM private key (PKCS#1, SEC1 or PKCS#8), read with Bouncy Castle: the
 * project's one use of it. A pull's class path may leave Bouncy Castle out (IsolatedPemKeys then
 * loads this class again with it), so this class uses nothing of the project's and reports
 * failures with JDK exceptions only.
 */
final class PemKeys {
    private PemKeys() {}

    /** The private key in {@code f}; null when it holds no unencrypted PEM private key. */
    static PrivateKey read(Path f) throws IOException {
        try (Reader r = Files.newBufferedReader(f); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            // Only the private half: a SEC1 key may omit its public key, and getKeyPair then fails.
            if (o instanceof PEMKeyPair kp) return conv.getPrivateKey(kp.getPrivateKeyInfo());
            if (o instanceof PrivateKeyInfo pki) return conv.getPrivateKey(pki);
            return null;
        }
    }
}
