package io.plainsight.offline.tls;

import java.util.HashMap;
import java.util.Map;

/**
 * A cipher suite the decryptor knows: its IANA name, how its keys are exchanged, its record
 * protection and (TLS 1.2) the hash of its PRF. The parts are read from the IANA name, so the
 * table below is just code points and names.
 *
 * @param macLength bytes of the record MAC (0 for AEAD suites)
 * @param prfHash "SHA-256" or "SHA-384": the TLS 1.2 PRF hash, and the TLS 1.3 HKDF hash
 */
record CipherSuite(int code, String name, KeyExchange keyExchange, Bulk bulk, String macAlgorithm,
        int macLength, String prfHash) {

    /** How the premaster secret is agreed. */
    enum KeyExchange {
        RSA(false), RSA_PSK(false), PSK(false), DHE_RSA(true), DHE_DSS(true), DHE_PSK(true), ECDHE_RSA(true),
        ECDHE_ECDSA(true), ECDHE_PSK(true), ECDH_RSA(false), ECDH_ECDSA(false), TLS13(true);

        /** Forward secret: a server's private key alone cannot give the premaster secret. */
        final boolean forwardSecret;

        KeyExchange(boolean forwardSecret) {
            this.forwardSecret = forwardSecret;
        }

        boolean usesRsaKey() {
            return this == RSA || this == RSA_PSK;
        }

        boolean usesPsk() {
            return this == PSK || this == RSA_PSK || this == DHE_PSK || this == ECDHE_PSK;
        }
    }

    /** The record protection. */
    enum Bulk {
        NULL(0, 0, 0, Mode.STREAM),
        RC4_128(16, 0, 0, Mode.STREAM),
        TDES_EDE_CBC(24, 8, 8, Mode.CBC),
        AES_128_CBC(16, 16, 16, Mode.CBC),
        AES_256_CBC(32, 16, 16, Mode.CBC),
        AES_128_GCM(16, 4, 16, Mode.GCM),
        AES_256_GCM(32, 4, 16, Mode.GCM),
        AES_128_CCM(16, 4, 16, Mode.CCM),
        AES_256_CCM(32, 4, 16, Mode.CCM),
        AES_128_CCM_8(16, 4, 8, Mode.CCM),
        AES_256_CCM_8(32, 4, 8, Mode.CCM),
        CHACHA20_POLY1305(32, 12, 16, Mode.CHACHA20_POLY1305);

        final int keyLength;
        /** CBC: the block size (the implicit IV of SSL 3.0/TLS 1.0); AEAD: the fixed IV in the key block. */
        final int ivLength;
        /** CBC: block size; AEAD: tag length. */
        final int blockOrTag;
        final Mode mode;

        Bulk(int keyLength, int ivLength, int blockOrTag, Mode mode) {
            this.keyLength = keyLength;
            this.ivLength = ivLength;
            this.blockOrTag = blockOrTag;
            this.mode = mode;
        }

        boolean aead() {
            return mode == Mode.GCM || mode == Mode.CCM || mode == Mode.CHACHA20_POLY1305;
        }

        String jceAlgorithm() {
            return switch (this) {
                case TDES_EDE_CBC -> "DESede";
                case RC4_128 -> "ARCFOUR";
                case CHACHA20_POLY1305 -> "ChaCha20";
                default -> "AES";
            };
        }
    }

    enum Mode { STREAM, CBC, GCM, CCM, CHACHA20_POLY1305 }

    private static final Map<Integer, CipherSuite> BY_CODE = new HashMap<>();

    static {
        Object[] table = {
            0x0001, "TLS_RSA_WITH_NULL_MD5", 0x0002, "TLS_RSA_WITH_NULL_SHA", 0x003b, "TLS_RSA_WITH_NULL_SHA256",
            0x0004, "TLS_RSA_WITH_RC4_128_MD5", 0x0005, "TLS_RSA_WITH_RC4_128_SHA",
            0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA",
            0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256",
            0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256",
            0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", 0xc09c, "TLS_RSA_WITH_AES_128_CCM",
            0xc09d, "TLS_RSA_WITH_AES_256_CCM", 0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8",
            0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8",

            0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
            0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", 0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
            0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", 0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
            0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",

            0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
            0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM",
            0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM", 0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8",
            0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",

            0xc004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", 0xc005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
            0xc025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", 0xc026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
            0xc02d, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02e, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
            0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", 0xc00f, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
            0xc029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", 0xc02a, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
            0xc031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", 0xc032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",

            0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
            0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
            0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",

            0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
            0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",

            0x002c, "TLS_PSK_WITH_NULL_SHA", 0x00b0, "TLS_PSK_WITH_NULL_SHA256",
            0x008a, "TLS_PSK_WITH_RC4_128_SHA",
            0x008b, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", 0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA",
            0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA", 0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256",
            0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384", 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256",
            0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384", 0xc0a4, "TLS_PSK_WITH_AES_128_CCM",
            0xc0a5, "TLS_PSK_WITH_AES_256_CCM", 0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8",
            0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8", 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",

            0x008f, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", 0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
            0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", 0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
            0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", 0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
            0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", 0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM",
            0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM", 0xc0aa, "TLS_DHE_PSK_WITH_AES_128_CCM_8",
            0xc0ab, "TLS_DHE_PSK_WITH_AES_256_CCM_8", 0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",

            0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", 0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA",
            0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", 0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256",
            0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", 0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",
            0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", 0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",

            0xc034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", 0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
            0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", 0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
            0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
            0xd001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", 0xd002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",
            0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", 0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",

            0x1301, "TLS_AES_128_GCM_SHA256", 0x1302, "TLS_AES_256_GCM_SHA384",
            0x1303, "TLS_CHACHA20_POLY1305_SHA256", 0x1304, "TLS_AES_128_CCM_SHA256",
            0x1305, "TLS_AES_128_CCM_8_SHA256",
        };
        for (int i = 0; i < table.length; i += 2) {
            CipherSuite s = parse((Integer) table[i], (String) table[i + 1]);
            if (BY_CODE.put(s.code, s) != null) {
                throw new IllegalStateException("duplicate cipher suite " + s.name);
            }
        }
    }

    /** The suite with this code point, or null when the decryptor does not support it. */
    static CipherSuite byCode(int code) {
        return BY_CODE.get(code);
    }

    /** The IANA name, or "unknown (0x....)". */
    static String nameOf(int code) {
        CipherSuite s = BY_CODE.get(code);
        return s != null ? s.name : String.format("unknown cipher suite (0x%04x)", code);
    }

    static CipherSuite parse(int code, String name) {
        String rest = name.substring("TLS_".length());
        KeyExchange kx;
        int with = rest.indexOf("_WITH_");
        if (with < 0) {
            kx = KeyExchange.TLS13;
        } else {
            kx = KeyExchange.valueOf(rest.substring(0, with));
            rest = rest.substring(with + "_WITH_".length());
        }
        Bulk bulk = null;
        for (Bulk b : new Bulk[] {Bulk.AES_128_CCM_8, Bulk.AES_256_CCM_8, Bulk.AES_128_CCM, Bulk.AES_256_CCM,
                Bulk.AES_128_GCM, Bulk.AES_256_GCM, Bulk.AES_128_CBC, Bulk.AES_256_CBC, Bulk.CHACHA20_POLY1305,
                Bulk.RC4_128, Bulk.NULL}) {
            if (rest.startsWith(b.name())) {
                bulk = b;
                break;
            }
        }
        if (rest.startsWith("3DES_EDE_CBC")) {
            bulk = Bulk.TDES_EDE_CBC;
            rest = rest.substring("3DES_EDE_CBC".length());
        } else if (bulk == null) {
            throw new IllegalArgumentException(name);
        } else {
            rest = rest.substring(bulk.name().length());
        }
        String hash = rest.isEmpty() ? "SHA256" : rest.substring(1); // CCM suites name no hash: SHA-256
        String prf = hash.equals("SHA384") ? "SHA-384" : "SHA-256";
        String mac = null;
        int macLength = 0;
        if (!bulk.aead()) {
            switch (hash) {
                case "MD5" -> { mac = "HmacMD5"; macLength = 16; }
                case "SHA" -> { mac = "HmacSHA1"; macLength = 20; }
                case "SHA256" -> { mac = "HmacSHA256"; macLength = 32; }
                case "SHA384" -> { mac = "HmacSHA384"; macLength = 48; }
                default -> throw new IllegalArgumentException(name);
            }
        }
        return new CipherSuite(code, name, kx, bulk, mac, macLength, prf);
    }

    @Override
    public String toString() {
        return name;
    }
}
