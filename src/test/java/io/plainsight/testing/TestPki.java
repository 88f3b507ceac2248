package io.plainsight.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority and a server certificate signed by it, made with the openssl CLI
 * (a real, independent peer rather than our own BouncyCastle code).
 *
 * <p>Files in {@link #dir()}:
 * <ul>
 *   <li>{@code ca.pem}, {@code ca-key.pem}: the CA certificate and its key</li>
 *   <li>{@code server-leaf.pem}: the server certificate alone</li>
 *   <li>{@code server.pem}: the server certificate followed by the CA (the chain nginx serves)</li>
 *   <li>{@code server-key.pem}: the server key, unencrypted PKCS#8 PEM</li>
 *   <li>{@code server.p12}: key + chain as PKCS#12, alias {@code server}, password in
 *       {@code server.p12.pass} (no trailing newline; {@value #P12_PASSWORD})</li>
 * </ul>
 * The server certificate has CN {@code backend.test} and SANs DNS:localhost, DNS:backend.test,
 * DNS:*.backend.test, IP:127.0.0.1, IP:::1.
 *
 * <p>{@link #shared()} (EC P-256) and {@link #sharedRsa()} (RSA 2048, e.g. for offline decryption
 * with the server's RSA key) are generated once per JVM. {@link #otherCa()} is a second, unrelated
 * CA with a server certificate of the same names, for "untrusted backend" tests.
 */
public final class TestPki {

    /** Password of {@code server.p12}. */
    public static final String P12_PASSWORD = "changeit-test";

    /** The server certificate's subject alternative names, as openssl writes them. */
    public static final String SANS = "DNS:localhost, DNS:backend.test, DNS:*.backend.test, IP:127.0.0.1, IP:::1";

    /** Key algorithm of the CA and server keys. */
    public enum KeyType {
        /** ECDSA on P-256 (fast; the default). */
        EC_P256,
        /** RSA 2048. */
        RSA_2048
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Map<KeyType, TestPki> SHARED = new EnumMap<>(KeyType.class);

    private final Path dir;
    private final KeyType keyType;
    private final String caName;
    private TestPki other;

    private TestPki(Path dir, KeyType keyType, String caName) {
        this.dir = dir;
        this.keyType = keyType;
        this.caName = caName;
    }

    /** The EC P-256 PKI shared by the whole JVM (generated on first use). */
    public static TestPki shared() {
        return shared(KeyType.EC_P256);
    }

    /** The RSA 2048 PKI shared by the whole JVM (generated on first use). */
    public static TestPki sharedRsa() {
        return shared(KeyType.RSA_2048);
    }

    /** The PKI of {@code type} shared by the whole JVM (generated on first use). */
    public static synchronized TestPki shared(KeyType type) {
        return SHARED.computeIfAbsent(type, t -> create(TestFiles.newDir("pki-" + t.name().toLowerCase()), t));
    }

    /** Creates a new EC P-256 CA and server certificate in {@code dir}. */
    public static TestPki create(Path dir) {
        return create(dir, KeyType.EC_P256);
    }

    /** Creates a new CA and server certificate of {@code type} in {@code dir}. */
    public static TestPki create(Path dir, KeyType type) {
        return create(dir, type, "plainsight test CA");
    }

    private static TestPki create(Path dir, KeyType type, String caName) {
        Path openssl = ExternalProcess.requireTool("openssl");
        TestPki pki = new TestPki(dir, type, caName);
        try {
            Files.createDirectories(dir);
            pki.generate(openssl.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create test PKI in " + dir, e);
        }
        return pki;
    }

    private void generate(String openssl) throws IOException {
        Files.writeString(dir.resolve("ca.cnf"), """
                [req]
                distinguished_name = dn
                prompt = no
                x509_extensions = v3_ca
                [dn]
                CN = %s
                O = plainsight tests
                [v3_ca]
                basicConstraints = critical, CA:TRUE
                keyUsage = critical, keyCertSign, cRLSign
                subjectKeyIdentifier = hash
                """.formatted(caName));
        String keyUsage = keyType == KeyType.RSA_2048 ? "digitalSignature, keyEncipherment" : "digitalSignature";
        Files.writeString(dir.resolve("server.ext"), """
                [v3_server]
                basicConstraints = critical, CA:FALSE
                keyUsage = critical, %s
                extendedKeyUsage = serverAuth, clientAuth
                subjectKeyIdentifier = hash
                authorityKeyIdentifier = keyid
                subjectAltName = %s
                """.formatted(keyUsage, SANS));
        String serial = "0x" + HexFormat.of().formatHex(randomBytes(8)).replaceFirst("^[89a-f]", "1");

        List<String> newKey = keyType == KeyType.RSA_2048
                ? List.of("-newkey", "rsa:2048")
                : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
        runIn(cmd(openssl, "req", "-x509", "-config", "ca.cnf", newKey, "-nodes", "-sha256",
                "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "3650"));
        runIn(cmd(openssl, "req", "-new", newKey, "-nodes", "-keyout", "server-key.pem",
                "-out", "server.csr", "-subj", "/CN=backend.test/O=plainsight tests"));
        runIn(cmd(openssl, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-set_serial", serial, "-days", "825", "-sha256", "-extfile", "server.ext",
                "-extensions", "v3_server", "-out", "server-leaf.pem"));
        Files.writeString(dir.resolve("server.pem"),
                Files.readString(dir.resolve("server-leaf.pem")) + Files.readString(dir.resolve("ca.pem")));
        Files.writeString(dir.resolve("server.p12.pass"), P12_PASSWORD);
        runIn(cmd(openssl, "pkcs12", "-export", "-inkey", "server-key.pem", "-in", "server.pem",
                "-name", "server", "-passout", "file:server.p12.pass", "-out", "server.p12"));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static List<String> cmd(String openssl, Object... parts) {
        List<String> out = new ArrayList<>();
        out.add(openssl);
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else {
                out.add(p.toString());
            }
        }
        return out;
    }

    private void runIn(List<String> command) {
        try (ExternalProcess p = ExternalProcess.builder(command).directory(dir).start()) {
            p.waitFor(TIMEOUT).assertSuccess();
        }
    }

    /** The directory holding all files. */
    public Path dir() {
        return dir;
    }

    /** The key algorithm. */
    public KeyType keyType() {
        return keyType;
    }

    /** The CA certificate (PEM); trust this and only this to accept {@link #serverCert()}. */
    public Path caCert() {
        return dir.resolve("ca.pem");
    }

    /** The CA's private key (PEM, PKCS#8, unencrypted). */
    public Path caKey() {
        return dir.resolve("ca-key.pem");
    }

    /** The server certificate followed by the CA certificate (PEM). */
    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    /** The server certificate alone (PEM). */
    public Path serverLeafCert() {
        return dir.resolve("server-leaf.pem");
    }

    /** The server's private key (PEM, PKCS#8, unencrypted). */
    public Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    /** The server key and chain as PKCS#12 (alias {@code server}). */
    public Path serverP12() {
        return dir.resolve("server.p12");
    }

    /** The file holding {@link #serverP12()}'s password. */
    public Path serverP12PasswordFile() {
        return dir.resolve("server.p12.pass");
    }

    /** {@link #serverP12()}'s password. */
    public String serverP12Password() {
        return P12_PASSWORD;
    }

    /**
     * A second CA, unrelated to this one, with its own server certificate carrying the same names:
     * a backend using it is untrusted by clients that trust only {@link #caCert()}. Created on first
     * use in {@code dir()/other}.
     */
    public synchronized TestPki otherCa() {
        if (other == null) {
            other = create(dir.resolve("other"), keyType, "plainsight OTHER untrusted test CA");
        }
        return other;
    }

    /** The CA certificate parsed. */
    public X509Certificate caCertificate() {
        try (InputStream in = Files.newInputStream(caCert())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + caCert(), e);
        }
    }

    /** A PKCS12 trust store in memory holding only the CA certificate. */
    public KeyStore trustStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("plainsight-test-ca", caCertificate());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    /** {@link #serverP12()} loaded. */
    public KeyStore serverKeyStore() {
        try (InputStream in = Files.newInputStream(serverP12())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, P12_PASSWORD.toCharArray());
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + serverP12(), e);
        }
    }

    /** A client SSLContext (TLS) that trusts only this CA, e.g. for java.net.http.HttpClient. */
    public SSLContext clientSslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a client SSLContext", e);
        }
    }

    /** A server SSLContext (TLS) presenting the server certificate, for in-JVM test servers. */
    public SSLContext serverSslContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(serverKeyStore(), P12_PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server SSLContext", e);
        }
    }

    /** The server certificate chain parsed (leaf first). */
    public List<X509Certificate> serverChain() {
        try (InputStream in = Files.newInputStream(serverCert())) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + serverCert(), e);
        }
    }

    @Override
    public String toString() {
        return "TestPki[" + keyType + " in " + dir + "]";
    }
}
