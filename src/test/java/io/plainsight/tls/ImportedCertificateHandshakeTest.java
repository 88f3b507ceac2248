package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imported certificates (PKCS#12 and PEM) presented by the BoringSSL server, chosen on SNI. */
class ImportedCertificateHandshakeTest {
    @TempDir
    Path dir;

    @Test
    void sniSelectsExactThenWildcardThenDefault() throws Exception {
        TestPki pki = new TestPki("Imported CA");
        KeyMaterial pem = pki.issue("pem.test", "pem.test");
        Path pemFile = dir.resolve("pem-chain.pem");
        Files.writeString(pemFile, Pem.certificates(pem.chain()) + Pem.privateKey(pem.key()));
        KeyMaterial wild = pki.issue("*.wild.test", "*.wild.test");
        Path wildFile = dir.resolve("wild.pem");
        Files.writeString(wildFile, Pem.privateKey(wild.key()) + Pem.certificates(wild.chain()));
        Files.writeString(dir.resolve("imported-ca.pem"), Pem.certificates(pki.caCert));

        ServerKeyManager km = new ServerKeyManager();
        ServerCertSpec p12Spec = ServerCertSpec.parse("*:" + ServerCertificatesTest.KEY_P12);
        km.addImported(p12Spec.domains(), ServerCertificates.load(p12Spec, "WebAS".toCharArray()));
        ServerCertSpec pemSpec = ServerCertSpec.parse("pem.test,alias.test:" + pemFile);
        km.addImported(pemSpec.domains(), ServerCertificates.load(pemSpec, null));
        ServerCertSpec wildSpec = ServerCertSpec.parse("*.wild.test:" + wildFile);
        km.addImported(wildSpec.domains(), ServerCertificates.load(wildSpec, null));
        ServerTlsContexts contexts = new ServerTlsContexts(km);

        try (TlsTestServer server = new TlsTestServer(km, contexts.forAlpn(null), sni -> null)) {
            record Case(String sni, String subject, boolean verify) {
            }
            for (Case c : List.of(
                    new Case("pem.test", "CN = pem.test, O = Upstream Org", true),
                    new Case("alias.test", "CN = pem.test, O = Upstream Org", false),
                    new Case("a.wild.test", "CN = *.wild.test, O = Upstream Org", true),
                    new Case("other.test", "C = US, O = IBM, OU = oc6748504754CellManager09, OU = oc6748504754Cell09,"
                            + " CN = oc6748504754.ibm.com", false),
                    new Case(null, "C = US, O = IBM, OU = oc6748504754CellManager09, OU = oc6748504754Cell09,"
                            + " CN = oc6748504754.ibm.com", false))) {
                List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
                        "127.0.0.1:" + server.port(), "-showcerts"));
                if (c.sni() == null) {
                    cmd.add("-noservername");
                } else {
                    cmd.addAll(List.of("-servername", c.sni()));
                }
                if (c.verify()) {
                    cmd.addAll(List.of("-CAfile", "imported-ca.pem", "-verify_return_error",
                            "-verify_hostname", c.sni()));
                }
                var r = ExternalProcess.start(dir, cmd).await(Duration.ofSeconds(60));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(ServerHandshakeTest.subject(r.output())).as(c.sni()).isEqualTo(c.subject());
                if (c.verify()) {
                    assertThat(r.output()).contains("Verify return code: 0 (ok)");
                }
                assertThat(r.output()).contains(" 1 s:"); // the chain of two was sent
            }
        }
        assertThat(km.importedFor("x.wild.test")).isNotNull();
        assertThat(km.importedFor("x.y.wild.test").leaf().getSubjectX500Principal().getName()).contains("IBM");
    }
}
