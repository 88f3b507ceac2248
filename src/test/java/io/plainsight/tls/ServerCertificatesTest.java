package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificatesTest {
    static final Path KEY_P12 = Path.of("/work/shared/testdata/wireshark-tls/keys/key.p12");

    @TempDir
    static Path dir;

    /** Makes a key with openssl, then a self-signed certificate for it; returns the key file. */
    static Path opensslKeyAndCert(String name, String cn, String... genkey) throws Exception {
        Path key = dir.resolve(name + "-key.pem");
        List<String> cmd = new java.util.ArrayList<>(List.of(genkey));
        cmd.addAll(2, List.of("-out", key.toString()));
        var r = ExternalProcess.start(dir, cmd).await(Duration.ofSeconds(120));
        assertThat(r.exitCode()).as(r.output()).isZero();
        var c = ExternalProcess.run(dir, Duration.ofSeconds(60), "openssl", "req", "-new", "-x509", "-key", key.toString(),
                "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn, "-days", "2",
                "-out", dir.resolve(name + "-cert.pem").toString());
        assertThat(c.exitCode()).as(c.output()).isZero();
        return key;
    }

    static Path combined(String name, boolean keyFirst) throws Exception {
        String key = Files.readString(dir.resolve(name + "-key.pem"));
        String cert = Files.readString(dir.resolve(name + "-cert.pem"));
        Path f = dir.resolve(name + "-combined.pem");
        Files.writeString(f, keyFirst ? key + cert : cert + key);
        return f;
    }

    @BeforeAll
    static void keys() throws Exception {
        opensslKeyAndCert("rsa1", "rsa1.test", "openssl", "genrsa", "-traditional", "2048");
        opensslKeyAndCert("ec1", "ec1.test", "openssl", "ecparam", "-genkey", "-name", "prime256v1");
        opensslKeyAndCert("p8", "p8.test", "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
    }

    @Test
    void legacyPkcs12WithPassword() {
        KeyMaterial m = ServerCertificates.load(KEY_P12, "WebAS".toCharArray());
        assertThat(m.chain()).hasSize(2);
        assertThat(m.leaf().getSubjectX500Principal().getName()).startsWith("CN=oc6748504754.ibm.com,OU=oc6748504754Cell09");
        assertThat(m.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(KeyPairs.matches(m.key(), m.leaf())).isTrue();
    }

    @Test
    void pkcs12Errors() throws Exception {
        assertThatThrownBy(() -> ServerCertificates.load(KEY_P12, "nope".toCharArray()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(KEY_P12.toString()).hasMessageContaining("password is wrong");
        assertThatThrownBy(() -> ServerCertificates.load(KEY_P12, null))
                .hasMessageContaining(KEY_P12.toString()).hasMessageContaining("no password was given");
        Path missing = dir.resolve("missing.p12");
        assertThatThrownBy(() -> ServerCertificates.load(missing, null))
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        Path junk = dir.resolve("junk.p12");
        Files.write(junk, new byte[] {0x30, 0x03, 1, 2, 3});
        assertThatThrownBy(() -> ServerCertificates.load(junk, "x".toCharArray()))
                .hasMessageContaining(junk.toString()).hasMessageContaining("PKCS#12");
        // a PKCS#12 with only a trusted certificate has no key
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("c", ServerCertificates.load(KEY_P12, "WebAS".toCharArray()).leaf());
        Path certOnly = dir.resolve("cert-only.p12");
        try (var out = Files.newOutputStream(certOnly)) {
            ks.store(out, "pw".toCharArray());
        }
        assertThatThrownBy(() -> ServerCertificates.load(certOnly, "pw".toCharArray()))
                .hasMessageContaining(certOnly.toString()).hasMessageContaining("no private key");
    }

    @Test
    void pemChainAndKeyInEveryKeyForm() throws Exception {
        for (String name : List.of("rsa1", "ec1", "p8")) {
            String keyText = Files.readString(dir.resolve(name + "-key.pem"));
            assertThat(keyText).contains(switch (name) {
                case "rsa1" -> "BEGIN RSA PRIVATE KEY";
                case "ec1" -> "BEGIN EC PRIVATE KEY";
                default -> "BEGIN PRIVATE KEY";
            });
            for (boolean keyFirst : new boolean[] {true, false}) {
                KeyMaterial m = ServerCertificates.load(combined(name, keyFirst), null);
                assertThat(m.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=" + name + ".test");
                assertThat(KeyPairs.matches(m.key(), m.leaf())).isTrue();
            }
        }
    }

    @Test
    void pemLeafIsPutFirstInAChain() throws Exception {
        TestPki pki = new TestPki("Chain CA");
        KeyMaterial issued = pki.issue("chain.test", "chain.test");
        Path f = dir.resolve("chain.pem");
        Files.writeString(f, Pem.certificates(issued.chain()[1], issued.chain()[0]) + Pem.privateKey(issued.key()));
        KeyMaterial m = ServerCertificates.load(f, null);
        assertThat(m.chain()).containsExactly(issued.chain()[0], issued.chain()[1]);
    }

    @Test
    void pemErrorsNameTheFileAndTheCause() throws Exception {
        Path certOnly = dir.resolve("rsa1-cert.pem");
        assertThatThrownBy(() -> ServerCertificates.load(certOnly, null))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(certOnly.toString()).hasMessageContaining("no private key");
        Path keyOnly = dir.resolve("ec1-key.pem");
        assertThatThrownBy(() -> ServerCertificates.load(keyOnly, null))
                .hasMessageContaining(keyOnly.toString()).hasMessageContaining("no certificate");
        Path mismatch = dir.resolve("mismatch.pem");
        Files.writeString(mismatch, Files.readString(dir.resolve("rsa1-cert.pem")) + Files.readString(dir.resolve("p8-key.pem")));
        assertThatThrownBy(() -> ServerCertificates.load(mismatch, null))
                .hasMessageContaining(mismatch.toString()).hasMessageContaining("does not match");
        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ServerCertificates.load(broken, null))
                .hasMessageContaining(broken.toString());
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> ServerCertificates.load(empty, null)).hasMessageContaining(empty + " is empty");
    }

    @Test
    void encryptedPkcs8PemKeyUsesThePassword() throws Exception {
        Path enc = dir.resolve("enc-key.pem");
        var r = ExternalProcess.run(dir, Duration.ofSeconds(60), "openssl", "pkcs8", "-topk8", "-in", "p8-key.pem",
                "-out", enc.toString(), "-passout", "pass:s3cret");
        assertThat(r.exitCode()).as(r.output()).isZero();
        Path f = dir.resolve("enc-combined.pem");
        Files.writeString(f, Files.readString(dir.resolve("p8-cert.pem")) + Files.readString(enc));
        assertThat(ServerCertificates.load(f, "s3cret".toCharArray()).leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=p8.test");
        assertThatThrownBy(() -> ServerCertificates.load(f, null)).hasMessageContaining("no password");
        assertThatThrownBy(() -> ServerCertificates.load(f, "bad".toCharArray())).hasMessageContaining("wrong password");
    }

    @Test
    void passwordFromFileOrEnvironment() throws Exception {
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "WebAS\n");
        assertThat(ServerCertificates.password(pw, Map.of("PLAINSIGHT_CERT_PASSWORD", "env"))).containsExactly("WebAS".toCharArray());
        assertThat(ServerCertificates.password(null, Map.of("PLAINSIGHT_CERT_PASSWORD", "env"))).containsExactly("env".toCharArray());
        assertThat(ServerCertificates.password(null, Map.of())).isNull();
        Path none = dir.resolve("no-such-password");
        assertThatThrownBy(() -> ServerCertificates.password(none, Map.of()))
                .hasMessageContaining(none.toString()).hasMessageContaining("no such file");
        assertThat(ServerCertificates.load(KEY_P12, ServerCertificates.password(pw, Map.of())).chain()).hasSize(2);
    }

    @Test
    void specParser() {
        ServerCertSpec s = ServerCertSpec.parse("Example.com,*.example.com,*:/etc/certs/site.p12");
        assertThat(s.domains()).containsExactly("example.com", "*.example.com", "*");
        assertThat(s.file()).isEqualTo(Path.of("/etc/certs/site.p12"));
        assertThat(ServerCertSpec.parse("a.test:rel/x.pem").file()).isEqualTo(Path.of("rel/x.pem"));
        for (String bad : List.of("", "nofile", ":x.pem", "a.test:", "a.test,,b.test:x.pem", "a b:x.pem", "*.*.x:y")) {
            assertThatThrownBy(() -> ServerCertSpec.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("DOMAINS:FILE");
        }
    }
}
