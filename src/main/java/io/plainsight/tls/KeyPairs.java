package io.plainsight.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

/** Checks that a private key belongs to a certificate. */
final class KeyPairs {
    private KeyPairs() {
    }

    /** True when {@code key} is the private half of {@code cert}'s public key. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (key instanceof RSAPrivateCrtKey rk && pub instanceof RSAPublicKey rp) {
            return rk.getModulus().equals(rp.getModulus()) && rk.getPublicExponent().equals(rp.getPublicExponent());
        }
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (alg == null) {
            return true; // unknown type: let the TLS stack reject it if it must
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
