package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One {@link Mac} per algorithm and thread, keyed afresh for each use: key derivation (PRF, HKDF)
 * runs several times per connection, and {@code Mac.getInstance}'s provider lookup costs more than
 * the few HMAC blocks it computes. A use must end before the next one on the same thread begins.
 */
final class Macs {
    private static final ThreadLocal<Map<String, Mac>> BY_ALGORITHM = ThreadLocal.withInitial(HashMap::new);

    private Macs() {}

    /** This thread's {@code algorithm} Mac, initialised with {@code key}. */
    static Mac keyed(String algorithm, byte[] key) throws GeneralSecurityException {
        Map<String, Mac> macs = BY_ALGORITHM.get();
        Mac mac = macs.get(algorithm);
        if (mac == null) {
            mac = Mac.getInstance(algorithm);
            macs.put(algorithm, mac);
        }
        mac.init(new SecretKeySpec(key, algorithm));
        return mac;
    }
}
