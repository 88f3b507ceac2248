package io.plainsight.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.IDN;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Forges server certificates signed by the plainsight CA, all for one EC P-256 leaf key generated
 * once per forger (one forger per process). Thread-safe; the TBS structure is assembled directly
 * and signed with a per-thread {@link Signature}, so forging costs little more than one ECDSA
 * signature.
 */
public final class CertificateForger {
    private static final Duration BACKDATE = Duration.ofDays(1);
    /** The CA/Browser Forum's maximum server certificate lifetime. */
    private static final Duration MAX_LIFETIME = Duration.ofDays(397);
    private static final int MAX_CN_LENGTH = 64;

    private final CertificateAuthority ca;
    private final PrivateKey leafKey;
    private final SubjectPublicKeyInfo leafSpki;
    private final X500Name issuer;
    private final AlgorithmIdentifier sigAlg = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private final Extension keyUsage;
    private final Extension extKeyUsage;
    private final Extension basicConstraints;
    private final Extension ski;
    private final Extension aki;
    private final ThreadLocal<Signature> signers;
    private final ThreadLocal<SecureRandom> randoms = ThreadLocal.withInitial(SecureRandom::new);

    /** A forger signing with {@code ca}; generates the shared leaf key. */
    public CertificateForger(CertificateAuthority ca) {
        this.ca = ca;
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair kp = kpg.generateKeyPair();
            leafKey = kp.getPrivate();
            leafSpki = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
            issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            keyUsage = new Extension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature).getEncoded(ASN1Encoding.DER));
            extKeyUsage = new Extension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth).getEncoded(ASN1Encoding.DER));
            basicConstraints = new Extension(Extension.basicConstraints, true,
                    new BasicConstraints(false).getEncoded(ASN1Encoding.DER));
            SubjectKeyIdentifier leafSki = utils.createSubjectKeyIdentifier(kp.getPublic());
            ski = new Extension(Extension.subjectKeyIdentifier, false, leafSki.getEncoded(ASN1Encoding.DER));
            byte[] caSkiExt = ca.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId());
            byte[] caKeyId = caSkiExt != null
                    ? SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(caSkiExt).getOctets()).getKeyIdentifier()
                    : utils.createSubjectKeyIdentifier(ca.certificate().getPublicKey()).getKeyIdentifier();
            aki = new Extension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(caKeyId).getEncoded(ASN1Encoding.DER));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the certificate forger: " + e, e);
        }
        signers = ThreadLocal.withInitial(() -> {
            try {
                Signature s = Signature.getInstance("SHA256withECDSA");
                s.initSign(ca.privateKey(), randoms.get());
                return s;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with the CA key: " + e, e);
            }
        });
    }

    /** The CA this forger signs with. */
    public CertificateAuthority ca() {
        return ca;
    }

    /**
     * A certificate for {@code host}: CN=host and one subject alternative name, an IP address for
     * an IP literal, else a DNS name.
     */
    public KeyMaterial forgeFor(String host) {
        String name = normalize(host);
        GeneralName san = generalName(name);
        return forge(cnOf(name), List.of(san));
    }

    /**
     * A certificate that looks like {@code upstream}: its subject CN and all its DNS and IP subject
     * alternative names, plus {@code extraName} (the SNI or CONNECT host; an IP literal becomes an
     * IP SAN) when not already among them. When the upstream has no SAN, its CN (when it is a host
     * name or an IP literal) is added as one, since clients ignore the CN.
     *
     * @param extraName may be null
     */
    public KeyMaterial forgeLike(X509Certificate upstream, String extraName) {
        List<GeneralName> sans = new ArrayList<>();
        for (GeneralName gn : upstreamSans(upstream)) {
            if ((gn.getTagNo() == GeneralName.dNSName || gn.getTagNo() == GeneralName.iPAddress) && !contains(sans, gn)) {
                sans.add(gn);
            }
        }
        String cn = commonName(upstream);
        if (sans.isEmpty() && cn != null && looksLikeHost(cn)) {
            sans.add(generalName(normalize(cn)));
        }
        if (extraName != null && !extraName.isBlank()) {
            GeneralName extra = generalName(normalize(extraName));
            if (!contains(sans, extra)) {
                sans.add(extra);
            }
        }
        if (sans.isEmpty()) {
            throw new IllegalArgumentException("the upstream certificate " + upstream.getSubjectX500Principal().getName()
                    + " has no host name to copy and no extra name was given");
        }
        if (cn == null) {
            cn = extraName != null && !extraName.isBlank() ? normalize(extraName) : null;
        }
        return forge(cn == null ? null : cnOf(cn), sans);
    }

    private KeyMaterial forge(String cn, List<GeneralName> sans) {
        try {
            Instant now = Instant.now();
            Instant notBefore = now.minus(BACKDATE);
            Instant caNotBefore = ca.certificate().getNotBefore().toInstant();
            if (notBefore.isBefore(caNotBefore)) {
                notBefore = caNotBefore;
            }
            Instant notAfter = now.plus(MAX_LIFETIME);
            Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isAfter(caNotAfter)) {
                notAfter = caNotAfter;
            }
            SecureRandom random = randoms.get();
            byte[] serial = new byte[16];
            random.nextBytes(serial);
            serial[0] &= 0x7f; // positive, and DER-encodes in exactly 16 bytes or fewer
            serial[0] |= 0x01; // never zero

            X500Name subject = cn == null ? new X500Name(new RDN[0])
                    : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
            Extension sanExt = new Extension(Extension.subjectAlternativeName, cn == null,
                    new GeneralNames(sans.toArray(GeneralName[]::new)).getEncoded(ASN1Encoding.DER));

            V3TBSCertificateGenerator g = new V3TBSCertificateGenerator();
            g.setSerialNumber(new ASN1Integer(new BigInteger(1, serial)));
            g.setSignature(sigAlg);
            g.setIssuer(issuer);
            g.setStartDate(new Time(Date.from(notBefore)));
            g.setEndDate(new Time(Date.from(notAfter)));
            g.setSubject(subject);
            g.setSubjectPublicKeyInfo(leafSpki);
            g.setExtensions(new org.bouncycastle.asn1.x509.Extensions(
                    new Extension[] {basicConstraints, keyUsage, extKeyUsage, ski, aki, sanExt}));
            TBSCertificate tbs = g.generateTBSCertificate();

            Signature signer = signers.get();
            signer.update(tbs.getEncoded(ASN1Encoding.DER));
            byte[] sig = signer.sign();

            ASN1EncodableVector v = new ASN1EncodableVector(3);
            v.add(tbs);
            v.add(sigAlg);
            v.add(new DERBitString(sig));
            X509Certificate leaf = Pem.toX509(new DERSequence(v).getEncoded(ASN1Encoding.DER));
            return new KeyMaterial(leafKey, new X509Certificate[] {leaf, ca.certificate()});
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot forge a certificate for " + (cn != null ? cn : sans) + ": " + e, e);
        }
    }

    static GeneralName[] upstreamSans(X509Certificate upstream) {
        byte[] ext = upstream.getExtensionValue(Extension.subjectAlternativeName.getId());
        if (ext == null) {
            return new GeneralName[0];
        }
        return GeneralNames.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getNames();
    }

    static String commonName(X509Certificate cert) {
        X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        RDN[] cns = name.getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return null;
        }
        String cn = IETFUtils.valueToString(cns[0].getFirst().getValue());
        return cn.isBlank() ? null : cn;
    }

    private static String cnOf(String name) {
        return name.length() <= MAX_CN_LENGTH ? name : null;
    }

    private static String normalize(String host) {
        String h = HostNames.unbracket(host.trim());
        if (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1);
        }
        if (HostNames.isIpLiteral(h)) {
            return h;
        }
        try {
            return IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return h.toLowerCase(Locale.ROOT);
        }
    }

    private static boolean looksLikeHost(String s) {
        return HostNames.isIpLiteral(s) || s.matches("(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
                + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?");
    }

    private static GeneralName generalName(String normalizedHost) {
        byte[] ip = HostNames.ipBytes(normalizedHost);
        if (ip != null) {
            return new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(ip));
        }
        return new GeneralName(GeneralName.dNSName, normalizedHost);
    }

    private static boolean contains(List<GeneralName> sans, GeneralName candidate) {
        for (GeneralName gn : sans) {
            if (gn.getTagNo() != candidate.getTagNo()) {
                continue;
            }
            if (gn.getTagNo() == GeneralName.iPAddress) {
                if (Arrays.equals(ASN1OctetString.getInstance(gn.getName()).getOctets(),
                        ASN1OctetString.getInstance(candidate.getName()).getOctets())) {
                    return true;
                }
            } else if (gn.getName().toString().equalsIgnoreCase(candidate.getName().toString())) {
                return true;
            }
        }
        return false;
    }
}
