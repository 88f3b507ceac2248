package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TLS 1.3 record protection (RFC 8446 5.2, encrypting) under the traffic secrets a key log gives
 * for one client random, for {@link TlsRecordJazzerTest}: records of any content after a recorded
 * ClientHello and ServerHello. The caller picks the keys of every record by epoch; each direction
 * and epoch has its own sequence number. Key and IV come from the decryptor's {@link Hkdf} (the
 * derivation has its own test, {@code KeyDerivationTest}); AES-GCM and ChaCha20-Poly1305 only.
 */
final class Tls13Sealer {
    /** Epochs: in the clear, 0-RTT (the client's; the server's is its handshake keys), handshake, application. */
    static final int CLEAR = 0;
    static final int EARLY = 1;
    static final int HANDSHAKE = 2;
    /** {@code APPLICATION + n}: the application keys after n KeyUpdates. */
    static final int APPLICATION = 3;
    static final int EPOCHS = 8;

    private final CipherSuite suite;
    private final DecryptionKeys keys;
    private final byte[] clientRandom;
    private final Direction client = new Direction();
    private final Direction server = new Direction();

    private static final class Direction {
        final byte[][] key = new byte[EPOCHS][];
        final byte[][] iv = new byte[EPOCHS][];
        final long[] seq = new long[EPOCHS];
    }

    Tls13Sealer(CipherSuite suite, DecryptionKeys keys, byte[] clientRandom) {
        if (suite.bulk().mode != CipherSuite.Mode.GCM && suite.bulk().mode != CipherSuite.Mode.CHACHA20_POLY1305) {
            throw new IllegalArgumentException(suite.name());
        }
        this.suite = suite;
        this.keys = keys;
        this.clientRandom = clientRandom;
    }

    /** One record: {@code type} and {@code content} sealed with the keys of {@code epoch} (not {@link #CLEAR}). */
    byte[] seal(boolean fromClient, int epoch, int type, byte[] content, int padding) {
        int e = effective(fromClient, epoch);
        Direction d = fromClient ? client : server;
        byte[] inner = Arrays.copyOf(content, content.length + 1 + padding);
        inner[content.length] = (byte) type;
        int length = inner.length + suite.bulk().blockOrTag;
        byte[] header = {23, 3, 3, (byte) (length >> 8), (byte) length};
        try {
            byte[] sealed = cipher(d, e, Cipher.ENCRYPT_MODE, header).doFinal(inner);
            d.seq[e]++;
            byte[] record = Arrays.copyOf(header, 5 + sealed.length);
            System.arraycopy(sealed, 0, record, 5, sealed.length);
            return record;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * For making seeds: the inner plaintext (content, type, padding) of a protected record (header
     * included) if it opens with the keys of {@code epoch} at that epoch's next sequence number,
     * which it then takes; null if not.
     */
    byte[] open(boolean fromClient, int epoch, byte[] record) {
        int e = effective(fromClient, epoch);
        Direction d = fromClient ? client : server;
        try {
            byte[] inner = cipher(d, e, Cipher.DECRYPT_MODE, Arrays.copyOf(record, 5)).doFinal(record, 5, record.length - 5);
            d.seq[e]++;
            return inner;
        } catch (GeneralSecurityException ex) {
            return null;
        }
    }

    private static int effective(boolean fromClient, int epoch) {
        if (epoch <= CLEAR || epoch >= EPOCHS) {
            throw new IllegalArgumentException("epoch " + epoch);
        }
        return epoch == EARLY && !fromClient ? HANDSHAKE : epoch;
    }

    private Cipher cipher(Direction d, int e, int mode, byte[] aad) throws GeneralSecurityException {
        if (d.key[e] == null) {
            byte[] secret = secret(d == client, e);
            d.key[e] = Hkdf.expandLabel(suite.prfHash(), secret, "key", suite.bulk().keyLength);
            d.iv[e] = Hkdf.expandLabel(suite.prfHash(), secret, "iv", 12);
        }
        byte[] nonce = d.iv[e].clone();
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= (byte) (d.seq[e] >>> (56 - 8 * i));
        }
        Cipher c;
        if (suite.bulk().mode == CipherSuite.Mode.GCM) {
            c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(d.key[e], "AES"), new GCMParameterSpec(128, nonce));
        } else {
            c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(mode, new SecretKeySpec(d.key[e], "ChaCha20"), new IvParameterSpec(nonce));
        }
        c.updateAAD(aad);
        return c;
    }

    /** The traffic secret of an epoch; one that the key log lacks is all zeros (its records do not decrypt). */
    private byte[] secret(boolean fromClient, int e) {
        KeyLogLabel label = switch (e) {
            case EARLY -> KeyLogLabel.CLIENT_EARLY_TRAFFIC_SECRET;
            case HANDSHAKE -> fromClient ? KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET : KeyLogLabel.SERVER_HANDSHAKE_TRAFFIC_SECRET;
            default -> fromClient ? KeyLogLabel.CLIENT_TRAFFIC_SECRET_0 : KeyLogLabel.SERVER_TRAFFIC_SECRET_0;
        };
        byte[] secret = keys.secret(label, clientRandom);
        if (secret == null) {
            return new byte[suite.prfHash().equals("SHA-384") ? 48 : 32];
        }
        for (int n = APPLICATION; n < e; n++) {
            secret = Tls13Keys.nextApplicationSecret(suite, secret);
        }
        return secret;
    }
}
