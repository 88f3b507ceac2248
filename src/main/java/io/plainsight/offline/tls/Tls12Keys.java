package io.plainsight.offline.tls;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the master secret of an SSL 3.0 to TLS 1.2 handshake and builds its record decrypters.
 * In order: the key log's CLIENT_RANDOM; for an abbreviated handshake the session cache (by
 * session ID, then by ticket) and "RSA Session-ID" key log lines; for a full handshake a
 * PMS_CLIENT_RANDOM line, then by key exchange: RSA (an "RSA" key log line, or an RSA private
 * key whose public key is the server certificate's), PSK and RSA_PSK (the given PSKs). When
 * several candidates remain (several PSKs, or RSA keys tried without a certificate), the first
 * encrypted record picks the one that decrypts it. A failure leaves the precise reason in
 * {@link Handshake#failure}.
 */
final class Tls12Keys {
    private Tls12Keys() {}

    /** A possible master secret; {@code resumption} as in {@link TlsHandshakeInfo#resumption()}. */
    private record Candidate(byte[] masterSecret, String source, String resumption) {}

    /** The record that needs the keys: it picks among several candidates. */
    record FirstRecord(boolean fromClient, int type, int version, byte[] rec, int off, int len, byte[] scratch) {}

    static void resolve(Handshake h, DecryptionKeys keys, InetSocketAddress server, FirstRecord first) {
        h.resolved = true;
        ServerHello sh = h.serverHello;
        CipherSuite suite = CipherSuite.byCode(sh.cipherSuite());
        int version = sh.version();
        if (suite == null || suite.keyExchange() == CipherSuite.KeyExchange.TLS13) {
            h.failure = "cipher suite " + CipherSuite.nameOf(sh.cipherSuite()) + " is not supported for "
                    + TlsHandshakeInfo.versionName(version);
            return;
        }
        if (version < Prf.SSL3 || version > Prf.TLS12) {
            h.failure = "version " + TlsHandshakeInfo.versionName(version) + " is not supported";
            return;
        }
        h.suite = suite;
        String cr = h.clientRandomHex();
        boolean abbreviated = h.clientKeyExchange == null;
        h.dropTranscript();
        List<Candidate> candidates = new ArrayList<>();
        byte[] logged = keys.secret(KeyLogLabel.CLIENT_RANDOM, h.clientRandom);
        if (logged != null) {
            String how = !abbreviated ? null
                    : h.clientTicket != null && h.clientTicket.length > 0 ? "session ticket" : "session ID";
            candidates.add(new Candidate(logged, "key log (CLIENT_RANDOM)", how));
        } else if (abbreviated) {
            // a ticket the client offered wins (servers echo the client's session ID when they accept
            // it); when ticket and session ID name different sessions, the first record decides
            SessionCache.Session byTicket = h.clientTicket != null && h.clientTicket.length > 0
                    ? keys.sessions().byTicket(h.clientTicket) : null;
            SessionCache.Session byId = resumedById(h) ? keys.sessions().byId(sh.sessionId()) : null;
            if (byTicket != null) {
                candidates.add(new Candidate(byTicket.masterSecret(), "session cache (session ticket, from "
                        + byTicket.keySource() + ")", "session ticket"));
            }
            if (byId != null && (byTicket == null || !Arrays.equals(byId.masterSecret(), byTicket.masterSecret()))) {
                candidates.add(new Candidate(byId.masterSecret(), "session cache (session ID, from " + byId.keySource() + ")",
                        "session ID"));
            }
            byte[] loggedForId = keys.masterForSessionId(sh.sessionId());
            if (candidates.isEmpty() && loggedForId != null) {
                candidates.add(new Candidate(loggedForId, "key log (RSA Session-ID)", "session ID"));
            }
            if (candidates.isEmpty()) {
                boolean ticket = h.clientTicket != null && h.clientTicket.length > 0;
                h.resumption = ticket ? "session ticket" : "session ID";
                String what = ticket ? "session ticket " + Bytes.shortHex(h.clientTicket, 8) : "session ID " + Bytes.hex(sh.sessionId());
                h.failure = "abbreviated handshake resuming a session (" + what
                        + ") not seen earlier in the capture, and no key for client_random " + cr + " ("
                        + keys.describeKeyLog() + ")";
                return;
            }
        } else {
            List<byte[]> premasters = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            byte[] pms = keys.secret(KeyLogLabel.PMS_CLIENT_RANDOM, h.clientRandom);
            if (pms != null) {
                premasters.add(pms);
                sources.add("key log (PMS_CLIENT_RANDOM)");
            } else if (!premasters(h, suite, keys, server, premasters, sources)) {
                return;
            }
            byte[] sessionHash = h.serverHello.extendedMasterSecret() && h.emsOffered
                    ? sessionHash(version, suite.prfHash(), h.transcriptToClientKeyExchange) : null;
            for (int i = 0; i < premasters.size(); i++) {
                candidates.add(new Candidate(Prf.masterSecret(version, suite.prfHash(), premasters.get(i), h.clientRandom,
                        sh.random(), sessionHash), sources.get(i), null));
            }
        }
        boolean etm = h.etmOffered && sh.encryptThenMac() && suite.bulk().mode == CipherSuite.Mode.CBC;
        Candidate chosen = candidates.get(0);
        RecordDecrypter[] decrypters = decrypters(suite, version, chosen.masterSecret, h.clientRandom, sh.random(), etm);
        if (candidates.size() > 1) {
            chosen = null;
            for (Candidate c : candidates) {
                RecordDecrypter[] d = decrypters(suite, version, c.masterSecret, h.clientRandom, sh.random(), etm);
                RecordDecrypter test = decrypters(suite, version, c.masterSecret, h.clientRandom, sh.random(), etm)[
                        first.fromClient() ? 0 : 1];
                if (test.decrypt(first.type(), first.version(), first.rec(), first.off(), first.len(), first.scratch())
                        != RecordDecrypter.BAD) {
                    chosen = c;
                    decrypters = d;
                    break;
                }
            }
            if (chosen == null) {
                List<String> names = candidates.stream().map(Candidate::source).toList();
                h.failure = "none of the " + candidates.size() + " candidate keys (" + String.join(", ", names)
                        + ") decrypts the first encrypted record of client_random " + cr;
                return;
            }
        }
        h.masterSecret = chosen.masterSecret;
        h.resumption = chosen.resumption;
        h.keySource = chosen.source;
        h.clientDecrypter = decrypters[0];
        h.serverDecrypter = decrypters[1];
        SessionCache.Session session = new SessionCache.Session(h.masterSecret, version, sh.cipherSuite(), chosen.source);
        keys.sessions().putId(sh.sessionId(), session);
        for (byte[] t : h.ticketsIssued) {
            keys.sessions().putTicket(t, session);
        }
    }

    private static boolean resumedById(Handshake h) {
        byte[] sid = h.serverHello.sessionId();
        return sid.length > 0 && Arrays.equals(sid, h.clientSessionId);
    }

    /** Fills the premaster candidates from the ClientKeyExchange; false with {@link Handshake#failure} set when there are none. */
    private static boolean premasters(Handshake h, CipherSuite suite, DecryptionKeys keys, InetSocketAddress server,
            List<byte[]> premasters, List<String> sources) {
        String cr = h.clientRandomHex();
        CipherSuite.KeyExchange kx = suite.keyExchange();
        byte[] cke = h.clientKeyExchange;
        if (kx.forwardSecret || kx == CipherSuite.KeyExchange.ECDH_RSA || kx == CipherSuite.KeyExchange.ECDH_ECDSA) {
            h.failure = !kx.forwardSecret
                    ? "static ECDH key exchange (" + kx + ") cannot be decrypted with an RSA key; no key for client_random "
                            + cr + " (" + keys.describeKeyLog() + ")"
                    : keys.rsaKeys().isEmpty() || !kx.name().contains("RSA")
                    ? "no key for client_random " + cr + " (" + kx + " key exchange; " + keys.describeKeyLog() + ")"
                    : "forward-secret key exchange (" + kx + ") and only an RSA key given: it needs a key log entry for "
                            + "client_random " + cr + " (" + keys.describeKeyLog() + ")";
            return false;
        }
        List<byte[]> rsaPremasters = new ArrayList<>();
        List<String> rsaSources = new ArrayList<>();
        if (kx.usesRsaKey()) {
            byte[] encrypted;
            try {
                encrypted = encryptedPremaster(cke, kx == CipherSuite.KeyExchange.RSA_PSK, h.version());
            } catch (ByteReader.MalformedException e) {
                h.failure = "malformed ClientKeyExchange: " + e.getMessage();
                return false;
            }
            byte[] logged = keys.premasterForEncrypted(encrypted);
            if (logged != null) {
                rsaPremasters.add(logged);
                rsaSources.add("key log (RSA)");
            } else if (!rsaDecrypt(h, keys, server, encrypted, rsaPremasters, rsaSources)) {
                return false;
            }
        }
        if (!kx.usesPsk()) {
            premasters.addAll(rsaPremasters);
            sources.addAll(rsaSources);
            return true;
        }
        if (keys.psks().isEmpty()) {
            h.failure = "no key for client_random " + cr + ": " + kx + " key exchange and no PSK was given ("
                    + keys.describeKeyLog() + ")";
            return false;
        }
        List<byte[]> others = kx == CipherSuite.KeyExchange.RSA_PSK ? rsaPremasters : null;
        int n = 0;
        for (byte[] psk : keys.psks()) {
            n++;
            if (others == null) {
                premasters.add(pskPremaster(new byte[psk.length], psk));
                sources.add("PSK #" + n);
            } else {
                for (int i = 0; i < others.size(); i++) {
                    premasters.add(pskPremaster(others.get(i), psk));
                    sources.add("PSK #" + n + " and " + rsaSources.get(i));
                }
            }
        }
        return true;
    }

    /** RFC 4279 2: other_secret and psk, each with a 2-byte length. */
    static byte[] pskPremaster(byte[] other, byte[] psk) {
        byte[] p = new byte[4 + other.length + psk.length];
        p[0] = (byte) (other.length >>> 8);
        p[1] = (byte) other.length;
        System.arraycopy(other, 0, p, 2, other.length);
        p[2 + other.length] = (byte) (psk.length >>> 8);
        p[3 + other.length] = (byte) psk.length;
        System.arraycopy(psk, 0, p, 4 + other.length, psk.length);
        return p;
    }

    /** The EncryptedPreMasterSecret of a ClientKeyExchange (SSL 3.0 sends it without a length). */
    static byte[] encryptedPremaster(byte[] cke, boolean afterPskIdentity, int version) throws ByteReader.MalformedException {
        ByteReader r = new ByteReader(cke, 0, cke.length);
        if (afterPskIdentity) {
            r.skip(r.u16("psk_identity length"), "psk_identity");
        }
        if (version == Prf.SSL3 && !afterPskIdentity) {
            return cke.clone();
        }
        return r.bytes(r.u16("EncryptedPreMasterSecret length"), "EncryptedPreMasterSecret");
    }

    private static boolean rsaDecrypt(Handshake h, DecryptionKeys keys, InetSocketAddress server, byte[] encrypted,
            List<byte[]> out, List<String> sources) {
        String cr = h.clientRandomHex();
        List<DecryptionKeys.RsaKey> all = keys.rsaKeys();
        if (all.isEmpty()) {
            h.failure = "no key for client_random " + cr + ": RSA key exchange, and no RSA private key was loaded (none given, or it could not be read; "
                    + keys.describeKeyLog() + ")";
            return false;
        }
        PublicKey certKey = certificateKey(h.certificate);
        if (certKey instanceof RSAPublicKey pub) {
            for (DecryptionKeys.RsaKey k : all) {
                if (k.key().getModulus().equals(pub.getModulus())) {
                    byte[] pms = RsaPremaster.decrypt(k.key(), encrypted);
                    if (pms == null) {
                        h.failure = "the RSA key " + k.source() + " matches the server certificate but does not decrypt the "
                                + "premaster secret of client_random " + cr + " (bad PKCS#1 padding: corrupted ClientKeyExchange?)";
                        return false;
                    }
                    out.add(pms);
                    sources.add("RSA key " + k.source());
                    return true;
                }
            }
            h.failure = "wrong RSA key: the server certificate (" + subject(h.certificate) + ", RSA "
                    + pub.getModulus().bitLength() + " bits, modulus " + Bytes.shortHex(pub.getModulus().toByteArray(), 6)
                    + ") matches none of the " + all.size() + " RSA keys given (" + names(all) + "), and there is no key "
                    + "for client_random " + cr + " (" + keys.describeKeyLog() + ")";
            return false;
        }
        if (certKey != null) {
            h.failure = "the server certificate has a " + certKey.getAlgorithm() + " key, not RSA; no key for client_random "
                    + cr + " (" + keys.describeKeyLog() + ")";
            return false;
        }
        List<DecryptionKeys.RsaKey> tried = new ArrayList<>();
        for (DecryptionKeys.RsaKey k : all) {
            if (k.appliesTo(server)) {
                tried.add(k);
                byte[] pms = RsaPremaster.decrypt(k.key(), encrypted);
                if (pms != null) {
                    out.add(pms);
                    sources.add("RSA key " + k.source());
                }
            }
        }
        if (out.isEmpty()) {
            h.failure = tried.isEmpty()
                    ? "no RSA key given for server " + server + " (the server certificate is not in the capture), and no key "
                            + "for client_random " + cr + " (" + keys.describeKeyLog() + ")"
                    : "wrong RSA key: none of the " + tried.size() + " RSA keys tried (" + names(tried) + ") decrypts the "
                            + "premaster secret of client_random " + cr + " (the server certificate is not in the capture)";
            return false;
        }
        return true;
    }

    private static String names(List<DecryptionKeys.RsaKey> keys) {
        return String.join(", ", keys.stream().map(DecryptionKeys.RsaKey::source).toList());
    }

    private static X509Certificate certificate(byte[] der) {
        if (der == null) {
            return null;
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static PublicKey certificateKey(byte[] der) {
        X509Certificate c = certificate(der);
        return c == null ? null : c.getPublicKey();
    }

    private static String subject(byte[] der) {
        X509Certificate c = certificate(der);
        return c == null ? "?" : c.getSubjectX500Principal().getName();
    }

    /** RFC 7627: the hash of the handshake messages up to the ClientKeyExchange (MD5 and SHA-1 before TLS 1.2). */
    static byte[] sessionHash(int version, String prfHash, byte[] transcript) {
        try {
            if (version >= Prf.TLS12) {
                return MessageDigest.getInstance(prfHash).digest(transcript);
            }
            return Prf.concat(MessageDigest.getInstance("MD5").digest(transcript),
                    MessageDigest.getInstance("SHA-1").digest(transcript));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client's and the server's decrypters from the key block. */
    static RecordDecrypter[] decrypters(CipherSuite suite, int version, byte[] masterSecret, byte[] clientRandom,
            byte[] serverRandom, boolean encryptThenMac) {
        CipherSuite.Bulk bulk = suite.bulk();
        int macLength = suite.macLength();
        int keyLength = bulk.keyLength;
        int ivLength = bulk.ivLength;
        byte[] block = Prf.keyBlock(version, suite.prfHash(), masterSecret, clientRandom, serverRandom,
                2 * (macLength + keyLength + ivLength));
        int p = 0;
        byte[] clientMac = Arrays.copyOfRange(block, p, p += macLength);
        byte[] serverMac = Arrays.copyOfRange(block, p, p += macLength);
        byte[] clientKey = Arrays.copyOfRange(block, p, p += keyLength);
        byte[] serverKey = Arrays.copyOfRange(block, p, p += keyLength);
        byte[] clientIv = Arrays.copyOfRange(block, p, p += ivLength);
        byte[] serverIv = Arrays.copyOfRange(block, p, p + ivLength);
        return new RecordDecrypter[] {
            decrypter(suite, version, clientMac, clientKey, clientIv, encryptThenMac),
            decrypter(suite, version, serverMac, serverKey, serverIv, encryptThenMac)
        };
    }

    private static RecordDecrypter decrypter(CipherSuite suite, int version, byte[] mac, byte[] key, byte[] iv, boolean etm) {
        return switch (suite.bulk().mode) {
            case CBC -> new CbcDecrypter(suite, version, mac, key, iv, etm);
            case STREAM -> new StreamDecrypter(suite, version, mac, key);
            default -> AeadDecrypter.create(suite, key, iv, false, false);
        };
    }
}
