package io.plainsight.offline.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes a synthetic TLS 1.2 connection (hellos in the clear, then ChangeCipherSpec, a Finished
 * and application data records protected with {@code javax.crypto} in encrypt mode), with the
 * key log line that opens it. For throughput measurements and round-trip tests: the
 * encryption side is written independently of the decryptor (it only shares the PRF).
 */
final class SyntheticTls {
    final CipherSuite suite;
    final byte[] clientRandom = new byte[32];
    final byte[] serverRandom = new byte[32];
    final byte[] masterSecret = new byte[48];
    final ByteArrayOutputStream client = new ByteArrayOutputStream();
    final ByteArrayOutputStream server = new ByteArrayOutputStream();
    private final Protector clientOut;
    private final Protector serverOut;

    SyntheticTls(int suiteCode, long seed) {
        suite = CipherSuite.byCode(suiteCode);
        Random r = new Random(seed);
        r.nextBytes(clientRandom);
        r.nextBytes(serverRandom);
        r.nextBytes(masterSecret);
        int mac = suite.macLength();
        int key = suite.bulk().keyLength;
        int iv = suite.bulk().ivLength;
        byte[] block = Prf.keyBlock(Prf.TLS12, suite.prfHash(), masterSecret, clientRandom, serverRandom, 2 * (mac + key + iv));
        int p = 0;
        byte[] cMac = Arrays.copyOfRange(block, p, p += mac);
        byte[] sMac = Arrays.copyOfRange(block, p, p += mac);
        byte[] cKey = Arrays.copyOfRange(block, p, p += key);
        byte[] sKey = Arrays.copyOfRange(block, p, p += key);
        byte[] cIv = Arrays.copyOfRange(block, p, p += iv);
        byte[] sIv = Arrays.copyOfRange(block, p, p + iv);
        clientOut = new Protector(suite, cMac, cKey, cIv, seed);
        serverOut = new Protector(suite, sMac, sKey, sIv, seed + 1);

        plain(client, 22, handshake(1, concat(new byte[] {3, 3}, clientRandom, new byte[] {0, 0, 2,
                (byte) (suiteCode >> 8), (byte) suiteCode, 1, 0})));
        plain(server, 22, handshake(2, concat(new byte[] {3, 3}, serverRandom, new byte[] {0,
                (byte) (suiteCode >> 8), (byte) suiteCode, 0})));
        plain(server, 22, handshake(14, new byte[0]));
        plain(client, 20, new byte[] {1});
        clientOut.record(client, 22, handshake(20, new byte[12]));
        plain(server, 20, new byte[] {1});
        serverOut.record(server, 22, handshake(20, new byte[12]));
    }

    String keyLogLine() {
        return "CLIENT_RANDOM " + HexFormat.of().formatHex(clientRandom) + " " + HexFormat.of().formatHex(masterSecret);
    }

    void applicationData(boolean fromClient, byte[] plaintext) {
        (fromClient ? clientOut : serverOut).record(fromClient ? client : server, 23, plaintext);
    }

    /**
     * One protected record of any content type, returned rather than appended to {@link #client}
     * or {@link #server} (for {@link TlsRecordJazzerTest}); it takes the direction's next sequence number.
     */
    byte[] protect(boolean fromClient, int type, byte[] plaintext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length + 64);
        (fromClient ? clientOut : serverOut).record(out, type, plaintext);
        return out.toByteArray();
    }

    private static void plain(ByteArrayOutputStream out, int type, byte[] fragment) {
        out.write(type);
        out.write(3);
        out.write(3);
        out.write(fragment.length >> 8);
        out.write(fragment.length);
        out.writeBytes(fragment);
    }

    private static byte[] handshake(int type, byte[] body) {
        return concat(new byte[] {(byte) type, 0, (byte) (body.length >> 8), (byte) body.length}, body);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** One direction's record protection, encrypting. */
    private static final class Protector {
        final CipherSuite suite;
        final byte[] macKey;
        final byte[] key;
        final byte[] iv;
        final Random random;
        long seq;

        Protector(CipherSuite suite, byte[] macKey, byte[] key, byte[] iv, long seed) {
            this.suite = suite;
            this.macKey = macKey;
            this.key = key;
            this.iv = iv;
            this.random = new Random(seed);
        }

        void record(ByteArrayOutputStream out, int type, byte[] plaintext) {
            try {
                byte[] fragment = switch (suite.bulk().mode) {
                    case GCM -> gcm(type, plaintext);
                    case CHACHA20_POLY1305 -> chacha(type, plaintext);
                    case CBC -> cbc(type, plaintext);
                    case STREAM -> stream(type, plaintext);
                    default -> throw new IllegalArgumentException(suite.name());
                };
                plain(out, type, fragment);
                seq++;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        byte[] aad(int type, int length) {
            byte[] a = new byte[13];
            RecordDecrypter.putSeq(a, 0, seq);
            a[8] = (byte) type;
            a[9] = 3;
            a[10] = 3;
            a[11] = (byte) (length >> 8);
            a[12] = (byte) length;
            return a;
        }

        byte[] gcm(int type, byte[] plaintext) throws GeneralSecurityException {
            byte[] explicit = new byte[8];
            RecordDecrypter.putSeq(explicit, 0, seq);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, concat(iv, explicit)));
            c.updateAAD(aad(type, plaintext.length));
            return concat(explicit, c.doFinal(plaintext));
        }

        byte[] chacha(int type, byte[] plaintext) throws GeneralSecurityException {
            byte[] nonce = iv.clone();
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
            }
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            c.updateAAD(aad(type, plaintext.length));
            return c.doFinal(plaintext);
        }

        private Cipher rc4; // its state runs across records

        byte[] stream(int type, byte[] plaintext) throws GeneralSecurityException {
            Mac mac = Mac.getInstance(suite.macAlgorithm());
            mac.init(new SecretKeySpec(macKey, suite.macAlgorithm()));
            mac.update(aad(type, plaintext.length));
            byte[] fragment = concat(plaintext, mac.doFinal(plaintext));
            if (suite.bulk() == CipherSuite.Bulk.NULL) {
                return fragment;
            }
            if (rc4 == null) {
                rc4 = Cipher.getInstance("ARCFOUR");
                rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ARCFOUR"));
            }
            return rc4.update(fragment);
        }

        byte[] cbc(int type, byte[] plaintext) throws GeneralSecurityException {
            Mac mac = Mac.getInstance(suite.macAlgorithm());
            mac.init(new SecretKeySpec(macKey, suite.macAlgorithm()));
            mac.update(aad(type, plaintext.length));
            byte[] m = mac.doFinal(plaintext);
            int bs = suite.bulk().blockOrTag;
            int pad = bs - (plaintext.length + m.length) % bs; // 1..bs bytes, each holding pad - 1
            byte[] padding = new byte[pad];
            Arrays.fill(padding, (byte) (pad - 1));
            byte[] recordIv = new byte[bs];
            random.nextBytes(recordIv);
            Cipher c = Cipher.getInstance(suite.bulk().jceAlgorithm() + "/CBC/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, suite.bulk().jceAlgorithm()), new IvParameterSpec(recordIv));
            return concat(recordIv, c.doFinal(concat(plaintext, m, padding)));
        }
    }
}
