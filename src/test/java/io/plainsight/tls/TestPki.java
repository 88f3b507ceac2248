package io.plainsight.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway test CA (not plainsight's) issuing server certificates with chosen names. */
final class TestPki {
    final KeyPair caKeys;
    final X509Certificate caCert;

    TestPki(String caName) throws Exception {
        caKeys = ecKeys();
        X500Name name = new X500Name("CN=" + caName);
        Instant now = Instant.now();
        caCert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), name, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A server certificate; names that are IP literals become IP SANs. {@code cn} may be null. */
    KeyMaterial issue(String cn, String... sanNames) throws Exception {
        KeyPair kp = ecKeys();
        Instant now = Instant.now();
        GeneralName[] sans = new GeneralName[sanNames.length];
        for (int i = 0; i < sanNames.length; i++) {
            sans[i] = new GeneralName(HostNames.isIpLiteral(sanNames[i]) ? GeneralName.iPAddress : GeneralName.dNSName,
                    sanNames[i]);
        }
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(caCert.getSubjectX500Principal().getName()),
                BigInteger.valueOf(System.nanoTime()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(10))),
                cn == null ? new X500Name("O=no common name") : new X500Name("CN=" + cn + ",O=Upstream Org"),
                kp.getPublic());
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        if (sans.length > 0) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        return new KeyMaterial(kp.getPrivate(), new X509Certificate[] {cert, caCert});
    }

    static void writePem(Path file, String pem) throws Exception {
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }
}
