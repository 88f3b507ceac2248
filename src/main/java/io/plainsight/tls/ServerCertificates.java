package io.plainsight.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Loads imported server certificates ({@code --server-cert DOMAINS:FILE}): a PKCS#12 file
 * (including legacy RC2/3DES PBE encryption) or a PEM file holding the chain and the key (PKCS#1
 * RSA, PKCS#8, SEC1 EC). The password comes from {@code --server-cert-password-file} or the
 * {@value #PASSWORD_ENV} environment variable. Errors are {@link TlsSetupException}s naming the file
 * and the cause.
 */
public final class ServerCertificates {
    /** Environment variable holding the PKCS#12 (or encrypted PEM key) password. */
    public static final String PASSWORD_ENV = "PLAINSIGHT_CERT_PASSWORD";

    private ServerCertificates() {
    }

    /**
     * The password: the first line of {@code passwordFile} when given (a trailing newline is not
     * part of it), else the {@value #PASSWORD_ENV} variable of {@code env}, else null.
     */
    public static char[] password(Path passwordFile, Map<String, String> env) {
        if (passwordFile != null) {
            try {
                String s = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int nl = s.indexOf('\n');
                if (nl >= 0) {
                    s = s.substring(0, nl);
                }
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                return s.toCharArray();
            } catch (IOException e) {
                throw new TlsSetupException("cannot read the password file " + passwordFile + ": "
                        + TlsSetupException.reason(e), e);
            }
        }
        String v = env.get(PASSWORD_ENV);
        return v == null ? null : v.toCharArray();
    }

    /** {@link #password(Path, Map)} with the process environment. */
    public static char[] password(Path passwordFile) {
        return password(passwordFile, System.getenv());
    }

    /** Loads the key and chain of {@code spec.file()}. */
    public static KeyMaterial load(ServerCertSpec spec, char[] password) {
        return load(spec.file(), password);
    }

    /**
     * Loads the key and chain in {@code file}, PEM when it holds "-----BEGIN", else PKCS#12; the
     * chain is reordered so that the certificate belonging to the key comes first.
     *
     * @param password for PKCS#12 (null: empty password) or an encrypted PEM key
     */
    public static KeyMaterial load(Path file, char[] password) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException("server certificate file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read the server certificate file " + file + ": "
                    + TlsSetupException.reason(e), e);
        }
        if (bytes.length == 0) {
            throw new TlsSetupException("server certificate file " + file + " is empty");
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        KeyMaterial m = text.contains("-----BEGIN ") ? loadPem(file, text, password) : loadPkcs12(file, bytes, password);
        return m;
    }

    private static KeyMaterial loadPem(Path file, String text, char[] password) {
        Pem.Contents c;
        try {
            c = Pem.parse(text, password);
        } catch (IOException e) {
            throw new TlsSetupException("cannot parse the PEM file " + file + ": " + TlsSetupException.reason(e), e);
        }
        if (c.certificates().isEmpty()) {
            throw new TlsSetupException("no certificate in the PEM file " + file
                    + " (it must hold the certificate chain and the private key)");
        }
        if (c.privateKey() == null) {
            throw new TlsSetupException("no private key in the PEM file " + file
                    + " (it must hold the certificate chain and the private key)");
        }
        return withLeafFirst(file, c.privateKey(), c.certificates());
    }

    private static KeyMaterial loadPkcs12(Path file, byte[] bytes, char[] password) {
        char[] pw = password == null ? new char[0] : password;
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(new java.io.ByteArrayInputStream(bytes), pw);
        } catch (Exception jdkFailure) {
            if (isWrongPassword(jdkFailure)) {
                throw wrongPassword(file, password, jdkFailure);
            }
            try { // BouncyCastle reads some legacy encodings the JDK does not
                ks = KeyStore.getInstance("PKCS12", new BouncyCastleProvider());
                ks.load(new java.io.ByteArrayInputStream(bytes), pw);
            } catch (Exception bcFailure) {
                if (isWrongPassword(bcFailure)) {
                    throw wrongPassword(file, password, bcFailure);
                }
                throw new TlsSetupException("cannot read " + file + " as PKCS#12 or PEM: "
                        + TlsSetupException.reason(jdkFailure), jdkFailure);
            }
        }
        try {
            boolean sawCert = false;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key;
                    try {
                        key = ks.getKey(alias, pw);
                    } catch (UnrecoverableKeyException e) {
                        throw wrongPassword(file, password, e);
                    }
                    Certificate[] chain = ks.getCertificateChain(alias);
                    if (key instanceof PrivateKey pk && chain != null && chain.length > 0) {
                        List<X509Certificate> certs = new ArrayList<>();
                        for (Certificate c : chain) {
                            certs.add((X509Certificate) c);
                        }
                        return withLeafFirst(file, pk, certs);
                    }
                }
                sawCert |= ks.isCertificateEntry(alias);
            }
            throw new TlsSetupException(sawCert
                    ? "no private key in the PKCS#12 file " + file + " (only trusted certificates)"
                    : "no private key and no certificate in the PKCS#12 file " + file);
        } catch (java.security.GeneralSecurityException e) {
            throw new TlsSetupException("cannot read the PKCS#12 file " + file + ": " + TlsSetupException.reason(e), e);
        }
    }

    private static boolean isWrongPassword(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnrecoverableKeyException || c instanceof javax.crypto.BadPaddingException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && (m.contains("password was incorrect") || m.contains("wrong password")
                    || m.contains("mac invalid") || m.contains("PKCS12 key store mac invalid"))) {
                return true;
            }
        }
        return false;
    }

    private static TlsSetupException wrongPassword(Path file, char[] password, Throwable cause) {
        String how = password == null
                ? "no password was given (use --server-cert-password-file FILE or " + PASSWORD_ENV + ")"
                : "the password is wrong";
        return new TlsSetupException("cannot open the PKCS#12 file " + file + ": " + how, cause);
    }

    private static KeyMaterial withLeafFirst(Path file, PrivateKey key, List<X509Certificate> certs) {
        int leaf = -1;
        for (int i = 0; i < certs.size(); i++) {
            if (KeyPairs.matches(key, certs.get(i))) {
                leaf = i;
                break;
            }
        }
        if (leaf < 0) {
            throw new TlsSetupException("the private key in " + file + " does not match "
                    + (certs.size() == 1 ? "its certificate " : "any of its " + certs.size() + " certificates, e.g. ")
                    + certs.get(0).getSubjectX500Principal().getName());
        }
        List<X509Certificate> ordered = new ArrayList<>(certs);
        X509Certificate l = ordered.remove(leaf);
        ordered.add(0, l);
        return new KeyMaterial(key, ordered.toArray(X509Certificate[]::new));
    }
}
