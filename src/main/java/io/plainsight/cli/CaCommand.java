package io.plainsight.cli;

import io.plainsight.tls.CertificateAuthority;
import io.plainsight.tls.OwnerOnlyFiles;
import io.plainsight.tls.ServerCertificates;
import io.plainsight.tls.TlsSetupException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code plainsight ca}: create, show and export the plainsight certificate authority that signs
 * the certificates shown to intercepted clients. Subcommands: {@code init}, {@code show},
 * {@code export}. Exit code 0 on success, 1 with a message on errors, 2 on usage errors.
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Manage the plainsight certificate authority (CA) that signs forged server certificates.",
        subcommands = {CaCommand.Init.class, CaCommand.Show.class, CaCommand.Export.class})
public final class CaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private final OutputStream binaryOut;

    /** Writes binary exports to {@code System.out}. */
    public CaCommand() {
        this(System.out);
    }

    /** Writes binary exports ({@code export} without {@code --out}) to {@code binaryOut}. */
    public CaCommand(OutputStream binaryOut) {
        this.binaryOut = binaryOut;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    private static int fail(CommandSpec spec, Exception e) {
        spec.commandLine().getErr().println("plainsight " + spec.qualifiedName().replaceFirst("^.*?\\bca\\b", "ca")
                + ": " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
    }

    /** {@code ca init}: create the CA when missing, print where it is and its fingerprint. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the CA if it does not exist yet; print its path and SHA-256 fingerprint.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        HomeOption home = new HomeOption();

        @Override
        public Integer call() {
            try {
                Path dir = home.resolve();
                boolean existed = CertificateAuthority.exists(dir);
                CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir);
                PrintWriter out = spec.commandLine().getOut();
                out.println((existed ? "existing CA: " : "created CA: ") + ca.certificateFile());
                out.println("SHA-256 fingerprint: " + ca.sha256Fingerprint());
                out.println("install it in clients: plainsight ca show" + homeHint(home));
                out.flush();
                return 0;
            } catch (TlsSetupException | UncheckedIOException e) {
                return fail(spec, e);
            }
        }
    }

    /** {@code ca show}: the CA's identity and how to install it in common clients. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show the CA (subject, fingerprints, validity, files) and how to install it in clients.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        HomeOption home = new HomeOption();

        @Override
        public Integer call() {
            try {
                CertificateAuthority ca = CertificateAuthority.load(home.resolve());
                PrintWriter out = spec.commandLine().getOut();
                out.print(describe(ca, homeHint(home)));
                out.flush();
                return 0;
            } catch (TlsSetupException | UncheckedIOException e) {
                return fail(spec, e);
            }
        }
    }

    static String describe(CertificateAuthority ca, String homeHint) {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
        String pem = ca.certificateFile().toString();
        StringBuilder sb = new StringBuilder();
        sb.append("plainsight CA\n");
        sb.append("  subject:      ").append(ca.certificate().getSubjectX500Principal().getName()).append('\n');
        sb.append("  SHA-256:      ").append(ca.sha256Fingerprint()).append('\n');
        sb.append("  SHA-1:        ").append(ca.sha1Fingerprint()).append('\n');
        sb.append("  valid from:   ").append(f.format(ca.certificate().getNotBefore().toInstant())).append('\n');
        sb.append("  valid until:  ").append(f.format(ca.certificate().getNotAfter().toInstant())).append('\n');
        sb.append("  certificate:  ").append(pem).append('\n');
        sb.append("  private key:  ").append(ca.keyFile()).append("  (secret: anyone holding it can impersonate"
                + " any site to clients that trust this CA)\n");
        sb.append('\n');
        sb.append("Install the certificate (never the key) in the clients whose TLS plainsight should decrypt:\n");
        sb.append("  curl:\n");
        sb.append("    curl --cacert ").append(pem).append(" https://example.com/\n");
        sb.append("    export CURL_CA_BUNDLE=").append(pem).append('\n');
        sb.append("  Firefox (its own NSS store):\n");
        sb.append("    Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import...,\n");
        sb.append("      pick ").append(pem).append(", tick \"Trust this CA to identify websites\"\n");
        sb.append("    or: certutil -d sql:$HOME/.mozilla/firefox/PROFILE -A -t C,, -n plainsight -i ").append(pem)
                .append('\n');
        sb.append("    or the enterprise policy (policies.json): {\"policies\": {\"Certificates\": {\"Install\": [\"")
                .append(pem).append("\"]}}}\n");
        sb.append("  Chrome/Chromium on Linux (NSS, package libnss3-tools for certutil):\n");
        sb.append("    certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n plainsight -i ").append(pem).append('\n');
        sb.append("  macOS (system keychain, used by Safari and Chrome):\n");
        sb.append("    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ")
                .append(pem).append('\n');
        sb.append("  Windows (Local Machine root store, used by Edge and Chrome), in an administrator prompt:\n");
        sb.append("    certutil -addstore -f Root plainsight-ca.pem   (copy ").append(pem)
                .append(" there first; or plainsight ca export --format der --out plainsight-ca.cer").append(homeHint)
                .append(")\n");
        sb.append("  Java (the JDK's cacerts):\n");
        sb.append("    keytool -importcert -cacerts -alias plainsight -file ").append(pem)
                .append(" -storepass changeit -noprompt\n");
        sb.append("  the OS trust store (curl, wget, Python, Go and most CLI tools):\n");
        sb.append("    Debian/Ubuntu: sudo cp ").append(pem)
                .append(" /usr/local/share/ca-certificates/plainsight.crt && sudo update-ca-certificates\n");
        sb.append("    RHEL/Fedora:   sudo cp ").append(pem)
                .append(" /etc/pki/ca-trust/source/anchors/plainsight.pem && sudo update-ca-trust\n");
        sb.append("Other formats: plainsight ca export --format pem|der|p12 [--out FILE]").append(homeHint).append('\n');
        return sb.toString();
    }

    private static String homeHint(HomeOption home) {
        return home.home == null ? "" : " --home " + home.home;
    }

    /** Export formats. */
    enum Format { pem, der, p12 }

    /** {@code ca export}: the CA certificate (never the key) as PEM, DER or PKCS#12. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the CA certificate (never its key) as PEM, DER or PKCS#12, to stdout or --out FILE.")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @ParentCommand
        CaCommand parent;
        @Mixin
        HomeOption home = new HomeOption();

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "pem",
                description = "pem, der or p12 (a trusted-certificate entry only; default: ${DEFAULT-VALUE})")
        Format format;

        @Option(names = "--out", paramLabel = "FILE", description = "write here instead of stdout")
        Path out;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "p12 only: protect the PKCS#12 with the first line of FILE (default: no password)")
        Path passwordFile;

        @Override
        public Integer call() {
            try {
                if (passwordFile != null && format != Format.p12) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--password-file only applies to --format p12");
                }
                CertificateAuthority ca = CertificateAuthority.load(home.resolve());
                byte[] bytes = switch (format) {
                    case pem -> ca.pem().getBytes(StandardCharsets.US_ASCII);
                    case der -> ca.der();
                    case p12 -> ca.pkcs12(passwordFile == null ? null : ServerCertificates.password(passwordFile, java.util.Map.of()));
                };
                if (out != null) {
                    OwnerOnlyFiles.writeAtomically(out, bytes, OwnerOnlyFiles.FILE_0644);
                    spec.commandLine().getErr().println("wrote the CA certificate (" + format + ") to " + out);
                    spec.commandLine().getErr().flush();
                } else if (format == Format.pem) {
                    spec.commandLine().getOut().print(new String(bytes, StandardCharsets.US_ASCII));
                    spec.commandLine().getOut().flush();
                } else {
                    OutputStream os = parent == null ? System.out : parent.binaryOut;
                    os.write(bytes);
                    os.flush();
                }
                return 0;
            } catch (TlsSetupException | UncheckedIOException e) {
                return fail(spec, e);
            } catch (IOException e) {
                return fail(spec, new IOException("cannot write " + (out == null ? "to stdout" : out) + ": "
                        + e.getMessage(), e));
            }
        }
    }
}
