package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CaCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err, byte[] binary) {
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new CaCommand(bin));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString(), bin.toByteArray());
    }

    Path home() {
        return tmp.resolve("home");
    }

    X509Certificate caCert() throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(home().resolve("ca.pem")));
    }

    @Test
    void initCreatesOnceAndPrintsPathAndFingerprint() throws Exception {
        Run first = run("init", "--home", home().toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("created CA: " + home().resolve("ca.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home().resolve("ca-key.pem"))))
                .isEqualTo("rw-------");
        String fp = io.plainsight.tls.Fingerprints.sha256(caCert());
        assertThat(first.out()).contains("SHA-256 fingerprint: " + fp);
        Run second = run("init", "--home", home().toString());
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("existing CA: ").contains(fp);
    }

    @Test
    void showDescribesTheCaAndHowToInstallIt() throws Exception {
        run("init", "--home", home().toString());
        Run show = run("show", "--home", home().toString());
        assertThat(show.exit()).as(show.err()).isZero();
        X509Certificate c = caCert();
        String pem = home().resolve("ca.pem").toString();
        assertThat(show.out()).contains(
                c.getSubjectX500Principal().getName(),
                io.plainsight.tls.Fingerprints.sha256(c),
                io.plainsight.tls.Fingerprints.sha1(c),
                "valid from:", "valid until:", pem, home().resolve("ca-key.pem").toString(),
                "curl --cacert " + pem, "CURL_CA_BUNDLE=" + pem,
                "Certificates > View Certificates", "certutil -d sql:$HOME/.mozilla/firefox/", "policies.json",
                "certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n plainsight -i " + pem,
                "security add-trusted-cert", "certutil -addstore -f Root",
                "keytool -importcert -cacerts", "update-ca-certificates", "update-ca-trust");
    }

    @Test
    void exportPemDerAndP12ParseBack() throws Exception {
        run("init", "--home", home().toString());
        X509Certificate ca = caCert();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");

        Run pem = run("export", "--home", home().toString());
        assertThat(pem.exit()).isZero();
        assertThat(pem.out()).startsWith("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE");
        assertThat(cf.generateCertificate(new ByteArrayInputStream(pem.out().getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(ca);

        Run der = run("export", "--format", "der", "--home", home().toString());
        assertThat(der.exit()).isZero();
        assertThat(der.binary()).isEqualTo(ca.getEncoded());

        Run p12 = run("export", "--format=p12", "--home", home().toString());
        assertThat(p12.exit()).as(p12.err()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(p12.binary()), null);
        assertThat(Collections.list(ks.aliases())).hasSize(1);
        String alias = ks.aliases().nextElement();
        assertThat(ks.isCertificateEntry(alias)).isTrue();
        assertThat(ks.isKeyEntry(alias)).isFalse();
        assertThat(ks.getCertificate(alias)).isEqualTo(ca);
        // openssl reads it too, without a password
        Path p12File = tmp.resolve("ca.p12");
        Files.write(p12File, p12.binary());
        var r = io.plainsight.tls.ExternalProcess.run(tmp, java.time.Duration.ofSeconds(30), "openssl", "pkcs12",
                "-in", p12File.toString(), "-nokeys", "-passin", "pass:");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void exportToFilesAndP12WithPassword() throws Exception {
        run("init", "--home", home().toString());
        X509Certificate ca = caCert();
        Path der = tmp.resolve("out/ca.cer");
        Files.createDirectories(der.getParent());
        Run r = run("export", "--format", "der", "--out", der.toString(), "--home", home().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.binary()).isEmpty();
        assertThat(Files.readAllBytes(der)).isEqualTo(ca.getEncoded());

        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "hunter2\n");
        Path p12 = tmp.resolve("ca.p12");
        r = run("export", "--format", "p12", "--password-file", pw.toString(), "--out", p12.toString(),
                "--home", home().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(Files.newInputStream(p12), "hunter2".toCharArray());
        assertThat(ks.getCertificate(ks.aliases().nextElement())).isEqualTo(ca);
        assertThat(ks.isKeyEntry(ks.aliases().nextElement())).isFalse();
    }

    @Test
    void usageAndRuntimeErrors() throws Exception {
        run("init", "--home", home().toString());
        Run bad = run("export", "--format", "jks", "--home", home().toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--format").contains("jks").contains("pem, der, p12");
        assertThat(bad.binary()).isEmpty();

        Run pwForPem = run("export", "--password-file", "x", "--home", home().toString());
        assertThat(pwForPem.exit()).isEqualTo(2);
        assertThat(pwForPem.err()).contains("--password-file only applies to --format p12");

        Path empty = tmp.resolve("empty");
        Run noCa = run("show", "--home", empty.toString());
        assertThat(noCa.exit()).isEqualTo(1);
        assertThat(noCa.err()).contains("no CA in " + empty).contains("plainsight ca init");

        Files.writeString(home().resolve("ca.pem"), "junk");
        Run corrupt = run("show", "--home", home().toString());
        assertThat(corrupt.exit()).isEqualTo(1);
        assertThat(corrupt.err()).contains(home().resolve("ca.pem").toString());
    }

    @Test
    void homeDefaultsToTheEnvironmentThenTheUserHome() {
        Path fromEnv = new HomeOption().resolve(Map.of("PLAINSIGHT_HOME", tmp.resolve("env").toString()), "/nowhere");
        assertThat(fromEnv).isEqualTo(tmp.resolve("env")).isDirectory();
        Path fromUser = new HomeOption().resolve(Map.of(), tmp.toString());
        assertThat(fromUser).isEqualTo(tmp.resolve(".plainsight")).isDirectory();
        Path explicit = new HomeOption(tmp.resolve("x")).resolve(Map.of("PLAINSIGHT_HOME", "/nowhere"), "/nowhere");
        assertThat(explicit).isEqualTo(tmp.resolve("x"));
    }
}
