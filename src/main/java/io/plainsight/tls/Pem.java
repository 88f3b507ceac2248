package io.plainsight.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * PEM reading and writing: certificates, and private keys in PKCS#8 ("PRIVATE KEY", optionally
 * "ENCRYPTED PRIVATE KEY"), PKCS#1 RSA ("RSA PRIVATE KEY") and SEC1 EC ("EC PRIVATE KEY") form.
 * Keys come back as JDK (SunRsaSign/SunEC) key objects, whose PKCS#8 encoding Netty's OpenSSL
 * provider can use.
 */
public final class Pem {
    /** Not registered globally: used only for PEM key decryption (AES/CBC/PKCS7Padding and friends). */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private Pem() {
    }

    /** What one PEM text holds: its certificates (in file order) and at most one private key. */
    public record Contents(List<X509Certificate> certificates, PrivateKey privateKey) {
    }

    /** PEM text of one or more certificates. */
    public static String certificates(X509Certificate... certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            sb.append(block("CERTIFICATE", Fingerprints.der(c)));
        }
        return sb.toString();
    }

    /** PEM text of a private key in PKCS#8 form ("-----BEGIN PRIVATE KEY-----"). */
    public static String privateKey(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * Parses every certificate and private key in {@code pem}. Other blocks (EC PARAMETERS, ...)
     * are skipped.
     *
     * @param password for an encrypted key, or null
     * @throws IOException naming what could not be parsed (the caller adds the file name)
     */
    public static Contents parse(String pem, char[] password) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        PrivateKey key = null;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o;
            while (true) {
                try {
                    o = parser.readObject();
                } catch (IOException | RuntimeException e) {
                    throw new IOException("malformed PEM: " + TlsSetupException.reason(e), e);
                }
                if (o == null) {
                    break;
                }
                PrivateKey found = null;
                if (o instanceof X509CertificateHolder h) {
                    certs.add(toX509(h.getEncoded()));
                } else if (o instanceof PEMKeyPair kp) {
                    found = converter.getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo pki) {
                    found = converter.getPrivateKey(pki);
                } else if (o instanceof PEMEncryptedKeyPair ekp) {
                    requirePassword(password);
                    try {
                        found = converter.getKeyPair(ekp.decryptKeyPair(
                                new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password))).getPrivate();
                    } catch (IOException e) {
                        throw new IOException("cannot decrypt the private key (wrong password?): "
                                + TlsSetupException.reason(e), e);
                    }
                } else if (o instanceof PKCS8EncryptedPrivateKeyInfo epki) {
                    requirePassword(password);
                    try {
                        found = converter.getPrivateKey(epki.decryptPrivateKeyInfo(
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password)));
                    } catch (PKCSException | OperatorCreationException e) {
                        throw new IOException("cannot decrypt the private key (wrong password?): "
                                + TlsSetupException.reason(e), e);
                    }
                } else if (o instanceof ASN1ObjectIdentifier || o instanceof X9ECParameters) {
                    continue; // "EC PARAMETERS" before a SEC1 key
                }
                if (found != null) {
                    if (key != null) {
                        throw new IOException("more than one private key");
                    }
                    key = found;
                }
            }
        }
        return new Contents(List.copyOf(certs), key);
    }

    private static void requirePassword(char[] password) throws IOException {
        if (password == null) {
            throw new IOException("the private key is encrypted and no password was given");
        }
    }

    /** Parses only the certificates in {@code pem}. */
    public static List<X509Certificate> parseCertificates(String pem) throws IOException {
        return parse(pem, null).certificates();
    }

    private static final ThreadLocal<CertificateFactory> X509_FACTORY = ThreadLocal.withInitial(() -> {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("no X.509 certificate factory", e);
        }
    });

    static X509Certificate toX509(byte[] der) throws IOException {
        try {
            return (X509Certificate) X509_FACTORY.get().generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IOException("bad certificate: " + TlsSetupException.reason(e), e);
        }
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
