package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    @TempDir
    Path tmp;

    @Test
    void createsOwnerOnlyFilesAndReloadsIdentically() throws Exception {
        Path home = tmp.resolve("home");
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(home);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("ca-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(home.resolve("ca-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(home.resolve("ca.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
        try (var files = Files.list(home)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca-key.pem");
        }

        CertificateAuthority again = CertificateAuthority.loadOrCreate(home);
        assertThat(again.certificate()).isEqualTo(ca.certificate());
        assertThat(again.privateKey().getEncoded()).isEqualTo(ca.privateKey().getEncoded());
        assertThat(again.sha256Fingerprint()).isEqualTo(ca.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(again.sha1Fingerprint()).matches("([0-9A-F]{2}:){19}[0-9A-F]{2}");
        assertThat(again.pem()).isEqualTo(Files.readString(home.resolve("ca.pem")));
        assertThat(again.der()).isEqualTo(ca.certificate().getEncoded());
    }

    @Test
    void caCertificateHasTheRequiredShape() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
        X509Certificate c = ca.certificate();
        assertThat(c.getSubjectX500Principal().getName()).matches("CN=plainsight CA \\([0-9a-f]{8}\\),O=plainsight");
        assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
        assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(c.getPublicKey().toString()).contains("secp256r1");
        assertThat(c.getBasicConstraints()).isEqualTo(0);
        assertThat(c.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] ku = c.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(ku[0]).as("digitalSignature").isFalse();
        assertThat(c.getExtensionValue("2.5.29.14")).as("SKI").isNotNull();
        Instant nb = c.getNotBefore().toInstant();
        assertThat(Duration.between(nb, Instant.now())).isBetween(Duration.ofHours(23), Duration.ofHours(25));
        assertThat(Duration.between(nb, c.getNotAfter().toInstant()).toDays()).isBetween(3650L, 3653L);
        c.verify(c.getPublicKey());
        // two installations get different CAs
        assertThat(CertificateAuthority.loadOrCreate(tmp.resolve("other")).certificate()).isNotEqualTo(c);
    }

    @Test
    void opensslAcceptsTheCaFiles() throws Exception {
        CertificateAuthority.loadOrCreate(tmp);
        var x509 = ExternalProcess.run(tmp, Duration.ofSeconds(20), "openssl", "x509", "-in", "ca.pem", "-noout", "-text");
        assertThat(x509.exitCode()).as(x509.output()).isZero();
        assertThat(x509.output()).contains("CA:TRUE, pathlen:0", "Certificate Sign, CRL Sign", "prime256v1");
        var key = ExternalProcess.run(tmp, Duration.ofSeconds(20), "openssl", "pkey", "-in", "ca-key.pem", "-noout", "-check");
        assertThat(key.exitCode()).as(key.output()).isZero();
    }

    @Test
    void corruptFilesAreNamedWithTheCause() throws Exception {
        Path home = tmp.resolve("h");
        CertificateAuthority.loadOrCreate(home);
        Path cert = home.resolve("ca.pem");
        String good = Files.readString(cert);

        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(cert.toString())
                .hasMessageContaining("CA certificate");

        Files.writeString(cert, "hello");
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                .hasMessageContaining(cert.toString()).hasMessageContaining("no certificate");

        Files.writeString(cert, good);
        Path key = home.resolve("ca-key.pem");
        Files.writeString(key, "garbage");
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                .hasMessageContaining(key.toString()).hasMessageContaining("no private key");

        // a key from another CA
        CertificateAuthority other = CertificateAuthority.loadOrCreate(tmp.resolve("other"));
        Files.writeString(key, Pem.privateKey(other.privateKey()));
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                .hasMessageContaining(key.toString()).hasMessageContaining("does not belong");

        Files.delete(key);
        assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                .hasMessageContaining(key + " is missing");
    }

    @Test
    void unreadableKeyIsNamed() throws Exception {
        Path home = tmp.resolve("u");
        CertificateAuthority.loadOrCreate(home);
        Path key = home.resolve("ca-key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        try {
            if (Files.isReadable(key)) {
                return; // running as root: permissions do not stop us
            }
            assertThatThrownBy(() -> CertificateAuthority.loadOrCreate(home))
                    .hasMessageContaining(key.toString()).hasMessageContaining("permission denied");
        } finally {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void loadNeverCreates() {
        assertThatThrownBy(() -> CertificateAuthority.load(tmp))
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("no CA in " + tmp);
        assertThat(tmp.resolve("ca.pem")).doesNotExist();
    }
}
