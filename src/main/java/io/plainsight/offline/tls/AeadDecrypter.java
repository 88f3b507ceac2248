package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AEAD records: AES-GCM and ChaCha20-Poly1305 through {@code javax.crypto} (the JDK's intrinsics),
 * AES-CCM and CCM_8 through BouncyCastle's {@link CCMBlockCipher} (the JDK has no CCM).
 *
 * <p>Nonce and additional data: TLS 1.2 GCM/CCM (RFC 5288, 6655) use a 4-byte salt and an 8-byte
 * explicit nonce carried in the record, and AAD = seq, type, version, plaintext length; TLS 1.2
 * ChaCha20 (RFC 7905) and TLS 1.3 (RFC 8446 5.3) use IV xor seq; TLS 1.3's AAD is the record
 * header (empty before draft 25).
 */
abstract class AeadDecrypter extends RecordDecrypter {
    private final boolean tls13;
    private final boolean emptyAad;
    private final boolean explicitNonce;
    private final byte[] iv;
    final int tagLength;
    final byte[] nonce = new byte[12];
    final byte[] aad = new byte[13];
    private final String description;

    AeadDecrypter(CipherSuite suite, byte[] iv, boolean tls13, boolean emptyAad) {
        this.tls13 = tls13;
        this.emptyAad = emptyAad;
        this.explicitNonce = !tls13 && suite.bulk().mode != CipherSuite.Mode.CHACHA20_POLY1305;
        this.iv = iv.clone();
        this.tagLength = suite.bulk().blockOrTag;
        this.description = suite.bulk().name();
    }

    /** A decrypter for {@code suite}'s AEAD with this key and IV (4-byte salt or 12-byte IV). */
    static AeadDecrypter create(CipherSuite suite, byte[] key, byte[] iv, boolean tls13, boolean emptyAad) {
        return suite.bulk().mode == CipherSuite.Mode.CCM
                ? new Ccm(suite, key, iv, tls13, emptyAad)
                : new Jce(suite, key, iv, tls13, emptyAad);
    }

    @Override
    final int decrypt(int type, int version, byte[] rec, int off, int len, byte[] out) {
        int ctOff = off;
        int ctLen = len;
        if (explicitNonce) {
            if (len < 8 + tagLength) {
                return BAD;
            }
            System.arraycopy(iv, 0, nonce, 0, 4);
            System.arraycopy(rec, off, nonce, 4, 8);
            ctOff += 8;
            ctLen -= 8;
        } else {
            if (len < tagLength) {
                return BAD;
            }
            System.arraycopy(iv, 0, nonce, 0, 12);
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
            }
        }
        int aadLength;
        if (tls13) {
            aadLength = emptyAad ? 0 : 5;
            aad[0] = (byte) type;
            aad[1] = (byte) (version >>> 8);
            aad[2] = (byte) version;
            aad[3] = (byte) (len >>> 8);
            aad[4] = (byte) len;
        } else {
            aadLength = 13;
            int plainLength = ctLen - tagLength;
            putSeq(aad, 0, seq);
            aad[8] = (byte) type;
            aad[9] = (byte) (version >>> 8);
            aad[10] = (byte) version;
            aad[11] = (byte) (plainLength >>> 8);
            aad[12] = (byte) plainLength;
        }
        int n = open(aadLength, rec, ctOff, ctLen, out);
        if (n < 0) {
            return BAD;
        }
        plainOffset = 0;
        if (tls13) {
            while (n > 0 && out[n - 1] == 0) {
                n--; // padding of TLSInnerPlaintext
            }
            if (n == 0) {
                return BAD; // no content type: RFC 8446 says unexpected_message
            }
            innerType = out[--n] & 0xff;
        } else {
            innerType = type;
        }
        seq++;
        return n;
    }

    /** Authenticates and decrypts with {@link #nonce} and {@code aad[0, aadLength)}; -1 when the tag is wrong. */
    abstract int open(int aadLength, byte[] in, int off, int len, byte[] out);

    @Override
    String describe() {
        return description;
    }

    /**
     * AES-GCM or ChaCha20-Poly1305 from the JDK, initialised with this decrypter's key and nonce for
     * each record (as the JCE requires for a new nonce anyway). The Cipher is one of this thread's
     * {@value CipherSlots#SLOTS} per algorithm ({@link CipherSlots}), claimed by the decrypter and
     * kept while no more than that many others claimed one since: a capture of thousands of short
     * connections would otherwise create four Ciphers per TLS 1.3 connection ({@code
     * Cipher.getInstance}'s provider lookup costs more than the handshake records they decrypt), and
     * one Cipher per thread re-keyed at every record would expand the AES key schedule for every
     * record of interleaved connections (the JDK skips that when the key is the Cipher's last one).
     */
    private static final class Jce extends AeadDecrypter {
        private final SecretKeySpec key;
        private final boolean gcm;
        private int slot = -1;

        Jce(CipherSuite suite, byte[] key, byte[] iv, boolean tls13, boolean emptyAad) {
            super(suite, iv, tls13, emptyAad);
            gcm = suite.bulk().mode == CipherSuite.Mode.GCM;
            cipher(); // fails here, not at the first record, where the JDK lacks the algorithm
            this.key = new SecretKeySpec(key, gcm ? "AES" : "ChaCha20");
        }

        private Cipher cipher() {
            CipherSlots slots = CipherSlots.of(gcm);
            if (slot < 0 || !slots.owns(slot, this)) {
                slot = slots.claim(this);
            }
            try {
                return slots.cipher(slot);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no " + describe() + " in this JDK", e);
            }
        }

        @Override
        int open(int aadLength, byte[] in, int off, int len, byte[] out) {
            AlgorithmParameterSpec spec = gcm ? new GCMParameterSpec(tagLength * 8, nonce) : new IvParameterSpec(nonce);
            Cipher cipher = cipher();
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, spec);
                if (aadLength > 0) {
                    cipher.updateAAD(aad, 0, aadLength);
                }
                return cipher.doFinal(in, off, len, out, 0);
            } catch (AEADBadTagException e) {
                return -1;
            } catch (GeneralSecurityException e) {
                return -1;
            }
        }
    }

    private static final class Ccm extends AeadDecrypter {
        private final CCMModeCipher ccm = CCMBlockCipher.newInstance(AESEngine.newInstance());
        private final KeyParameter key;

        Ccm(CipherSuite suite, byte[] key, byte[] iv, boolean tls13, boolean emptyAad) {
            super(suite, iv, tls13, emptyAad);
            this.key = new KeyParameter(key);
        }

        @Override
        int open(int aadLength, byte[] in, int off, int len, byte[] out) {
            try {
                ccm.init(false, new AEADParameters(key, tagLength * 8, nonce));
                ccm.processAADBytes(aad, 0, aadLength);
                int n = ccm.processBytes(in, off, len, out, 0);
                return n + ccm.doFinal(out, n);
            } catch (InvalidCipherTextException | RuntimeException e) {
                return -1;
            }
        }
    }
}
