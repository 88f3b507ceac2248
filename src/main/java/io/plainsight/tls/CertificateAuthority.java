package io.plainsight.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-installation certificate authority that signs forged server certificates: an EC P-256
 * key and a self-signed CA certificate, stored as {@code ca.pem} (certificate) and
 * {@code ca-key.pem} (PKCS#8 PEM key, owner-only 0600) in the plainsight home directory, created
 * on first use.
 */
public final class CertificateAuthority {
    /** File name of the CA certificate in the home directory. */
    public static final String CERT_FILE = "ca.pem";
    /** File name of the CA private key in the home directory. */
    public static final String KEY_FILE = "ca-key.pem";

    private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);
    private static final Duration BACKDATE = Duration.ofDays(1);

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final Path certFile;
    private final Path keyFile;

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Path certFile, Path keyFile) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.certFile = certFile;
        this.keyFile = keyFile;
    }

    /**
     * Loads the CA from {@code home}, or creates it there when neither file exists yet (the home
     * directory itself is created with mode 0700 when missing).
     *
     * @throws TlsSetupException naming the file and the cause when a CA file is missing (only one of
     *     the two exists), unreadable, corrupt, or the key does not belong to the certificate
     */
    public static CertificateAuthority loadOrCreate(Path home) {
        Path certFile = home.resolve(CERT_FILE);
        Path keyFile = home.resolve(KEY_FILE);
        boolean haveCert = Files.exists(certFile);
        boolean haveKey = Files.exists(keyFile);
        if (haveCert && haveKey) {
            return load(certFile, keyFile);
        }
        if (haveCert || haveKey) {
            Path missing = haveCert ? keyFile : certFile;
            Path present = haveCert ? certFile : keyFile;
            throw new TlsSetupException("CA file " + missing + " is missing while " + present
                    + " exists; restore it, or remove " + present + " to create a new CA");
        }
        try {
            OwnerOnlyFiles.createPrivateDirectory(home);
        } catch (IOException e) {
            throw new TlsSetupException("cannot create the plainsight home directory " + home + ": "
                    + TlsSetupException.reason(e), e);
        }
        return create(certFile, keyFile);
    }

    /** True when {@code home} holds a CA certificate file (it may still be unusable). */
    public static boolean exists(Path home) {
        return Files.exists(home.resolve(CERT_FILE)) || Files.exists(home.resolve(KEY_FILE));
    }

    /**
     * Loads the CA from {@code home} without ever creating it.
     *
     * @throws TlsSetupException when there is no CA there, or as {@link #loadOrCreate(Path)}
     */
    public static CertificateAuthority load(Path home) {
        Path certFile = home.resolve(CERT_FILE);
        Path keyFile = home.resolve(KEY_FILE);
        if (!Files.exists(certFile) && !Files.exists(keyFile)) {
            throw new TlsSetupException("no CA in " + home + " yet (" + CERT_FILE + " and " + KEY_FILE
                    + " are missing); create one with: plainsight ca init --home " + home);
        }
        return loadOrCreate(home);
    }

    private static CertificateAuthority create(Path certFile, Path keyFile) {
        KeyPair kp;
        X509Certificate cert;
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            kp = kpg.generateKeyPair();
            cert = selfSign(kp, Instant.now());
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the CA certificate: " + e, e);
        }
        try {
            // Key first: a certificate on disk without its key would be useless.
            OwnerOnlyFiles.writeAtomically(keyFile, Pem.privateKey(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII),
                    OwnerOnlyFiles.FILE_0600);
        } catch (IOException e) {
            throw new TlsSetupException("cannot write the CA key " + keyFile + ": " + TlsSetupException.reason(e), e);
        }
        try {
            OwnerOnlyFiles.writeAtomically(certFile, Pem.certificates(cert).getBytes(StandardCharsets.US_ASCII),
                    OwnerOnlyFiles.FILE_0644);
        } catch (IOException e) {
            throw new TlsSetupException("cannot write the CA certificate " + certFile + ": "
                    + TlsSetupException.reason(e), e);
        }
        log.info("created a new plainsight CA {} in {} (SHA-256 {})",
                cert.getSubjectX500Principal().getName(), certFile, Fingerprints.sha256(cert));
        return new CertificateAuthority(cert, kp.getPrivate(), certFile, keyFile);
    }

    static X509Certificate selfSign(KeyPair kp, Instant now)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        byte[] id = new byte[4];
        SecureRandom random = new SecureRandom();
        random.nextBytes(id);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "plainsight") // encoded O then CN: shown as "CN=..., O=plainsight"
                .addRDN(BCStyle.CN, "plainsight CA (" + HexFormat.of().formatHex(id) + ")")
                .build();
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = notBefore.atOffset(ZoneOffset.UTC).plusYears(10).toInstant();
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(1, serial),
                Date.from(notBefore), Date.from(notAfter), subject, kp.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return Pem.toX509(der);
    }

    private static CertificateAuthority load(Path certFile, Path keyFile) {
        X509Certificate cert;
        PrivateKey key;
        try {
            List<X509Certificate> certs = Pem.parseCertificates(Files.readString(certFile, StandardCharsets.US_ASCII));
            if (certs.isEmpty()) {
                throw new IOException("no certificate in it");
            }
            cert = certs.get(0);
            if (cert.getBasicConstraints() < 0) {
                throw new IOException("the certificate " + cert.getSubjectX500Principal().getName()
                        + " is not a CA certificate");
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException("cannot load the CA certificate " + certFile + ": "
                    + TlsSetupException.reason(e), e);
        }
        try {
            warnIfReadableByOthers(keyFile);
            key = Pem.parse(Files.readString(keyFile, StandardCharsets.US_ASCII), null).privateKey();
            if (key == null) {
                throw new IOException("no private key in it");
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException("cannot load the CA key " + keyFile + ": " + TlsSetupException.reason(e), e);
        }
        if (!KeyPairs.matches(key, cert)) {
            throw new TlsSetupException("the CA key " + keyFile + " does not belong to the CA certificate " + certFile);
        }
        return new CertificateAuthority(cert, key, certFile, keyFile);
    }

    private static void warnIfReadableByOthers(Path keyFile) {
        try {
            if (OwnerOnlyFiles.posix(keyFile)) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(keyFile);
                if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                    log.warn("the CA key {} is readable by other users (mode {}); it should be 0600",
                            keyFile, java.nio.file.attribute.PosixFilePermissions.toString(p));
                }
            }
        } catch (IOException ignored) {
            // the read that follows reports it
        }
    }

    /** The CA certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA private key (EC P-256). */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The CA certificate as PEM text. */
    public String pem() {
        return Pem.certificates(certificate);
    }

    /** The CA certificate's DER encoding. */
    public byte[] der() {
        return Fingerprints.der(certificate);
    }

    /** SHA-256 fingerprint of the CA certificate, "AB:CD:...". */
    public String sha256Fingerprint() {
        return Fingerprints.sha256(certificate);
    }

    /** SHA-1 fingerprint of the CA certificate, "AB:CD:...". */
    public String sha1Fingerprint() {
        return Fingerprints.sha1(certificate);
    }

    /** Path of {@code ca.pem}. */
    /** The certificate alone as PKCS#12 (a trusted-certificate entry), protected by {@code password} (null: none). */
    public byte[] pkcs12(char[] password) {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("plainsight-ca", certificate());
            java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
            ks.store(bos, password);
            return bos.toByteArray();
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot encode the CA as PKCS#12: " + e, e);
        }
    }

    public Path certificateFile() {
        return certFile;
    }

    /** Path of {@code ca-key.pem}. */
    public Path keyFile() {
        return keyFile;
    }
}
