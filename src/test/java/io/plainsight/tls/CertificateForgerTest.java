package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateForgerTest {
    @TempDir
    static Path home;
    static CertificateAuthority ca;
    static CertificateForger forger;

    @BeforeAll
    static void setUp() {
        ca = CertificateAuthority.loadOrCreate(home);
        forger = new CertificateForger(ca);
    }

    static void pkixValidate(X509Certificate leaf) throws Exception {
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    static List<String> sans(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        Collection<List<?>> all = c.getSubjectAlternativeNames();
        if (all != null) {
            for (List<?> e : all) {
                out.add((((Integer) e.get(0)) == 7 ? "IP:" : "DNS:") + e.get(1));
            }
        }
        return out;
    }

    @Test
    void forgedLeafHasTheRequiredShapeAndValidates() throws Exception {
        KeyMaterial m = forger.forgeFor("www.Example.com");
        X509Certificate leaf = m.leaf();
        assertThat(m.chain()).hasSize(2);
        assertThat(m.chain()[1]).isEqualTo(ca.certificate());
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=www.example.com");
        assertThat(sans(leaf)).containsExactly("DNS:www.example.com");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isBetween(64, 127);
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        byte[] aki = AuthorityKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(leaf.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifierOctets();
        byte[] caSki = SubjectKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(ca.certificate().getExtensionValue("2.5.29.14")).getOctets()).getKeyIdentifier();
        assertThat(aki).isEqualTo(caSki);
        assertThat(leaf.getExtensionValue("2.5.29.14")).isNotNull();
        Instant now = Instant.now();
        assertThat(Duration.between(leaf.getNotBefore().toInstant(), now)).isBetween(Duration.ofHours(23), Duration.ofHours(25));
        assertThat(leaf.getNotAfter().toInstant()).isBefore(now.plus(Duration.ofDays(397)).plusSeconds(5))
                .isAfter(now.plus(Duration.ofDays(396)));
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(KeyPairs.matches(m.key(), leaf)).isTrue();
        leaf.verify(ca.certificate().getPublicKey());
        pkixValidate(leaf);
        // the same leaf key is reused, the certificates differ
        KeyMaterial m2 = forger.forgeFor("www.example.com");
        assertThat(m2.key()).isSameAs(m.key());
        assertThat(m2.leaf().getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
    }

    @Test
    void ipLiteralsBecomeIpSans() throws Exception {
        assertThat(sans(forger.forgeFor("127.0.0.1").leaf())).containsExactly("IP:127.0.0.1");
        X509Certificate v6 = forger.forgeFor("[2001:db8::1]").leaf();
        assertThat(sans(v6)).hasSize(1);
        assertThat(InetAddress.getByName(sans(v6).get(0).substring(3))).isEqualTo(InetAddress.getByName("2001:db8::1"));
        pkixValidate(v6);
    }

    @Test
    void opensslVerifiesForgedCertificates() throws Exception {
        Path dir = home;
        int i = 0;
        for (KeyMaterial m : List.of(forger.forgeFor("a.example.org"), forger.forgeFor("10.1.2.3"),
                forger.forgeLike(new TestPki("Upstream CA").issue("up.example", "up.example", "192.0.2.7").leaf(), "sni.example"))) {
            Path f = dir.resolve("leaf" + i++ + ".pem");
            TestPki.writePem(f, Pem.certificates(m.leaf()));
            var r = ExternalProcess.run(dir, Duration.ofSeconds(20), "openssl", "verify", "-CAfile", "ca.pem",
                    "-purpose", "sslserver", f.getFileName().toString());
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(": OK");
        }
        var host = ExternalProcess.run(dir, Duration.ofSeconds(20), "openssl", "verify", "-CAfile", "ca.pem",
                "-verify_hostname", "a.example.org", "leaf0.pem");
        assertThat(host.exitCode()).as(host.output()).isZero();
        var ip = ExternalProcess.run(dir, Duration.ofSeconds(20), "openssl", "verify", "-CAfile", "ca.pem",
                "-verify_ip", "10.1.2.3", "leaf1.pem");
        assertThat(ip.exitCode()).as(ip.output()).isZero();
        var wrong = ExternalProcess.run(dir, Duration.ofSeconds(20), "openssl", "verify", "-CAfile", "ca.pem",
                "-verify_hostname", "b.example.org", "leaf0.pem");
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
    }

    @Test
    void forgeLikeCopiesCnAndAllSansAndAddsTheExtraName() throws Exception {
        TestPki up = new TestPki("Upstream CA");
        X509Certificate upstream = up.issue("main.example.com",
                "main.example.com", "*.cdn.example.com", "other.example.net", "192.0.2.10", "2001:db8::5").leaf();

        X509Certificate a = forger.forgeLike(upstream, "sni.example.org").leaf();
        assertThat(a.getSubjectX500Principal().getName()).isEqualTo("CN=main.example.com");
        assertThat(sans(a)).hasSize(6).startsWith("DNS:main.example.com", "DNS:*.cdn.example.com",
                "DNS:other.example.net", "IP:192.0.2.10").endsWith("DNS:sni.example.org");
        assertThat(sans(a).get(4)).startsWith("IP:2001:db8:");
        pkixValidate(a);

        // already present (case-insensitive): not added twice
        assertThat(sans(forger.forgeLike(upstream, "OTHER.example.net").leaf())).hasSize(5);
        // an IP literal extra name becomes an IP SAN; present ones are not duplicated
        assertThat(sans(forger.forgeLike(upstream, "198.51.100.1").leaf())).hasSize(6).endsWith("IP:198.51.100.1");
        assertThat(sans(forger.forgeLike(upstream, "192.0.2.10").leaf())).hasSize(5);
        assertThat(sans(forger.forgeLike(upstream, null).leaf())).hasSize(5);
    }

    @Test
    void forgeLikeWithoutSansUsesTheCn() throws Exception {
        TestPki up = new TestPki("Old CA");
        X509Certificate noSan = up.issue("legacy.example").leaf();
        X509Certificate f = forger.forgeLike(noSan, "10.0.0.1").leaf();
        assertThat(f.getSubjectX500Principal().getName()).isEqualTo("CN=legacy.example");
        assertThat(sans(f)).containsExactly("DNS:legacy.example", "IP:10.0.0.1");

        X509Certificate noCn = up.issue(null, "only-san.example").leaf();
        X509Certificate g = forger.forgeLike(noCn, "connect.example").leaf();
        assertThat(sans(g)).containsExactly("DNS:only-san.example", "DNS:connect.example");
        assertThat(g.getSubjectX500Principal().getName()).isEqualTo("CN=connect.example");

        X509Certificate nothing = up.issue(null).leaf();
        assertThatThrownBy(() -> forger.forgeLike(nothing, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgingRate() {
        // a rough single-run figure for the report, not a benchmark (see bench/ for those)
        for (int i = 0; i < 300; i++) {
            forger.forgeFor("warmup" + i + ".example");
        }
        int n = 2000;
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            forger.forgeFor("host" + i + ".example.com");
        }
        double perSecond = n / ((System.nanoTime() - t0) / 1e9);
        double perCpuSecond = n / ((mx.getCurrentThreadCpuTime() - cpu0) / 1e9);
        System.out.printf("forged %d certificates on one thread: %.0f/s wall clock, %.0f per CPU second%n",
                n, perSecond, perCpuSecond);
        assertThat(perSecond).isPositive();
    }
}
