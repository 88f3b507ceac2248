package io.plainsight.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A private key and the certificate chain to present with it: {@code chain[0]} is the leaf that
 * belongs to {@code key}, followed by its issuers (for forged certificates: leaf, then the
 * plainsight CA). The chain array is shared, not copied: do not modify it.
 */
public record KeyMaterial(PrivateKey key, X509Certificate[] chain) {
    public KeyMaterial {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(chain, "chain");
        if (chain.length == 0) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        for (X509Certificate c : chain) {
            Objects.requireNonNull(c, "certificate in chain");
        }
    }

    /** The certificate that belongs to {@link #key()}. */
    public X509Certificate leaf() {
        return chain[0];
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + leaf().getSubjectX500Principal().getName() + ", chain of " + chain.length + "]";
    }
}
