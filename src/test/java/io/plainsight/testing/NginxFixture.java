package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real nginx serving {@link Docroot}'s files over TLS (HTTP/1.1 and optionally HTTP/2 via ALPN),
 * plain HTTP/1.1, and optionally plaintext HTTP/2 with prior knowledge (h2c), all on 127.0.0.1 (or on
 * the addresses given to {@link Builder#listen}, inside the network namespace given to {@link Builder#netns}).
 *
 * <p>nginx runs in the foreground ({@code daemon off;}) with a generated config in its own prefix
 * directory: pid, error log ({@code error.log}), access log ({@code access.log}) and every
 * {@code *_temp_path} live there, so it needs nothing under /var. It works as non-root; as root the
 * workers run as the docroot's owner so they can read it.
 *
 * <p>Locations besides the files: {@code /error500} (500 with body {@link #ERROR500_BODY}),
 * {@code /hello} (200, {@link #HELLO_BODY}), {@code /echo} (200, {@code "echo METHOD URI\n"}),
 * {@code /redirect} (302 to {@code /index.html}); anything missing is nginx's 404. Keep-alive allows
 * 10,000 requests per connection.
 *
 * <pre>{@code
 * try (NginxFixture nginx = NginxFixture.builder().tls().http2(true).plain().start()) {
 *     Curl.Response r = Curl.https(nginx.httpsUrl("/1m.bin"), nginx.pki().caCert());
 * }
 * }</pre>
 */
public final class NginxFixture implements AutoCloseable {

    /** Body of {@code /error500}. */
    public static final String ERROR500_BODY = "deliberate error for tests\n";
    /** Body of {@code /hello}. */
    public static final String HELLO_BODY = "hello from nginx\n";

    private static final Duration STARTUP = Duration.ofSeconds(20);

    /** Configures an {@link NginxFixture}; with no listener chosen, TLS (h2 on) and plain are enabled. */
    public static final class Builder {
        private boolean tls;
        private boolean http2 = true;
        private boolean plain;
        private boolean h2c;
        private TestPki pki;
        private String tlsProtocols = "TLSv1.2 TLSv1.3";
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private final List<String> serverConfig = new ArrayList<>();
        private final List<String> httpConfig = new ArrayList<>();
        private Netns.Namespace netns;
        private List<String> addresses = List.of("127.0.0.1");
        private int fixedTlsPort;
        private int fixedPlainPort;
        private TestPki.Issued certificate;

        private Builder() {
        }

        /** Enables the TLS listener ({@link #tlsPort()}). */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** HTTP/2 (ALPN h2) on the TLS listener; default on. */
        public Builder http2(boolean on) {
            this.http2 = on;
            return this;
        }

        /** Enables the plain HTTP/1.1 listener ({@link #plainPort()}). */
        public Builder plain() {
            this.plain = true;
            return this;
        }

        /**
         * Enables a plaintext HTTP/2 listener with prior knowledge ({@link #h2cPort()}; e.g.
         * {@code curl --http2-prior-knowledge}). nginx 1.22 speaks only HTTP/2 there, not HTTP/1.1.
         */
        public Builder h2c() {
            this.h2c = true;
            return this;
        }

        /** The PKI whose server certificate nginx presents (default {@link TestPki#shared()}). */
        public Builder pki(TestPki pki) {
            this.pki = pki;
            return this;
        }

        /** The {@code ssl_protocols} value (default {@code "TLSv1.2 TLSv1.3"}). */
        public Builder tlsProtocols(String protocols) {
            this.tlsProtocols = protocols;
            return this;
        }

        /** Adds (or replaces) a file in this instance's docroot. */
        public Builder file(String name, byte[] content) {
            if (name.contains("/") || name.startsWith(".")) {
                throw new IllegalArgumentException("plain file names only: " + name);
            }
            files.put(name, content.clone());
            return this;
        }

        /** Adds raw directives to the {@code server} block, e.g. a {@code location}. */
        public Builder serverConfig(String directives) {
            serverConfig.add(directives);
            return this;
        }

        /** Adds raw directives to the {@code http} block. */
        public Builder httpConfig(String directives) {
            httpConfig.add(directives);
            return this;
        }

        /**
         * Runs nginx inside a network namespace ({@code ip netns exec}); readiness is checked from
         * inside it. Use with {@link #listen} and {@link #ports}: the namespace has its own addresses,
         * and its ports are all free.
         */
        public Builder netns(Netns.Namespace ns) {
            this.netns = ns;
            return this;
        }

        /** The addresses every listener binds (default 127.0.0.1); IPv6 without brackets. */
        public Builder listen(String... addresses) {
            this.addresses = List.of(addresses);
            return this;
        }

        /** Fixed TLS and plain ports (0: a free one, the default) instead of free loopback ports. */
        public Builder ports(int tls, int plain) {
            this.fixedTlsPort = tls;
            this.fixedPlainPort = plain;
            return this;
        }

        /** Present this certificate (e.g. from {@link TestPki#issue}) instead of the PKI's server certificate. */
        public Builder certificate(TestPki.Issued cert) {
            this.certificate = cert;
            return this;
        }

        /** Writes the config, starts nginx and waits until every port accepts connections. */
        public NginxFixture start() {
            if (!tls && !plain && !h2c) {
                tls = true;
                plain = true;
            }
            if (pki == null && tls) {
                pki = TestPki.shared();
            }
            return NginxFixture.start(this);
        }
    }

    private final Builder config;
    private final Path prefix;
    private final Path docroot;
    private final int tlsPort;
    private final int plainPort;
    private final int h2cPort;
    private final ExternalProcess process;

    private NginxFixture(Builder config, Path prefix, Path docroot, int tlsPort, int plainPort, int h2cPort,
            ExternalProcess process) {
        this.config = config;
        this.prefix = prefix;
        this.docroot = docroot;
        this.tlsPort = tlsPort;
        this.plainPort = plainPort;
        this.h2cPort = h2cPort;
        this.process = process;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** nginx with TLS (HTTP/2 on) and plain HTTP, serving the standard docroot. */
    public static NginxFixture start() {
        return builder().start();
    }

    private static NginxFixture start(Builder b) {
        Path nginx = ExternalProcess.requireTool("nginx");
        Path docroot = docrootFor(b);
        AssertionError last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path prefix = TestFiles.newDir("nginx");
            int tlsPort = b.tls ? (b.fixedTlsPort > 0 ? b.fixedTlsPort : FreePort.tcp()) : -1;
            int plainPort = b.plain ? (b.fixedPlainPort > 0 ? b.fixedPlainPort : FreePort.tcp()) : -1;
            int h2cPort = b.h2c ? FreePort.tcp() : -1;
            Path conf = prefix.resolve("nginx.conf");
            try {
                for (String t : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                    Files.createDirectories(prefix.resolve("tmp").resolve(t));
                }
                Files.writeString(conf, config(b, prefix, docroot, tlsPort, plainPort, h2cPort));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + conf, e);
            }
            List<String> cmd = List.of(nginx.toString(), "-p", prefix.toString(),
                    "-e", prefix.resolve("error.log").toString(), "-c", conf.toString());
            ExternalProcess p = ExternalProcess.builder(b.netns != null ? b.netns.command(cmd) : cmd).start();
            NginxFixture f = new NginxFixture(b, prefix, docroot, tlsPort, plainPort, h2cPort, p);
            try {
                f.awaitReady();
                return f;
            } catch (AssertionError e) {
                f.close();
                last = e;
                if (!f.errorLogText().contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static Path docrootFor(Builder b) {
        if (b.files.isEmpty()) {
            return Docroot.standard();
        }
        Path dir = TestFiles.newDir("docroot");
        try {
            for (String name : List.of("index.html", "1k.bin", "1m.bin", "10m.bin")) {
                Path target = dir.resolve(name);
                try {
                    Files.createLink(target, Docroot.standard().resolve(name));
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(Docroot.standard().resolve(name), target);
                }
            }
            for (Map.Entry<String, byte[]> e : b.files.entrySet()) {
                Files.deleteIfExists(dir.resolve(e.getKey()));
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write docroot " + dir, e);
        }
        return dir;
    }

    private static String config(Builder b, Path prefix, Path docroot, int tlsPort, int plainPort, int h2cPort)
            throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("# generated by io.plainsight.testing.NginxFixture\n");
        s.append("daemon off;\nmaster_process on;\nworker_processes 1;\n");
        s.append("pid ").append(q(prefix.resolve("nginx.pid"))).append(";\n");
        s.append("lock_file ").append(q(prefix.resolve("nginx.lock"))).append(";\n");
        s.append("error_log ").append(q(prefix.resolve("error.log"))).append(" info;\n");
        if (ExternalProcess.isRoot()) {
            PosixFileAttributes a = Files.readAttributes(docroot, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            s.append("user ").append(a.owner().getName()).append(' ').append(a.group().getName()).append(";\n");
        }
        s.append("events { worker_connections 1024; }\n");
        s.append("http {\n");
        s.append("  types { text/html html; text/plain txt; application/octet-stream bin; }\n");
        s.append("  default_type application/octet-stream;\n");
        s.append("  log_format plainsight '$remote_addr:$remote_port \"$request\" $status $body_bytes_sent "
                + "proto=$server_protocol tls=$ssl_protocol h2=$http2';\n");
        s.append("  access_log ").append(q(prefix.resolve("access.log"))).append(" plainsight;\n");
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            String dir = t.equals("client_body") ? "body" : t;
            s.append("  ").append(t).append("_temp_path ").append(q(prefix.resolve("tmp").resolve(dir))).append(";\n");
        }
        s.append("  sendfile on;\n  server_tokens off;\n");
        s.append("  keepalive_timeout 65s;\n  keepalive_requests 10000;\n");
        b.httpConfig.forEach(c -> s.append("  ").append(c).append('\n'));
        s.append("  server {\n");
        if (tlsPort > 0) {
            for (String a : b.addresses) {
                s.append("    listen ").append(listenAddress(a)).append(':').append(tlsPort).append(" ssl")
                        .append(b.http2 ? " http2" : "").append(";\n");
            }
            s.append("    ssl_certificate ").append(q(b.certificate != null ? b.certificate.chainFile() : b.pki.serverCert()))
                    .append(";\n");
            s.append("    ssl_certificate_key ").append(q(b.certificate != null ? b.certificate.keyFile() : b.pki.serverKey()))
                    .append(";\n");
            s.append("    ssl_protocols ").append(b.tlsProtocols).append(";\n");
        }
        if (plainPort > 0) {
            for (String a : b.addresses) {
                s.append("    listen ").append(listenAddress(a)).append(':').append(plainPort).append(";\n");
            }
        }
        if (h2cPort > 0) {
            for (String a : b.addresses) {
                s.append("    listen ").append(listenAddress(a)).append(':').append(h2cPort).append(" http2;\n");
            }
        }
        s.append("    server_name localhost backend.test;\n");
        s.append("    root ").append(q(docroot)).append(";\n");
        s.append("    location / { index index.html; }\n");
        s.append("    location = /error500 { default_type text/plain; return 500 \"")
                .append(ERROR500_BODY.replace("\n", "\\n")).append("\"; }\n");
        s.append("    location = /hello { default_type text/plain; return 200 \"")
                .append(HELLO_BODY.replace("\n", "\\n")).append("\"; }\n");
        s.append("    location = /echo { default_type text/plain; return 200 \"echo $request_method $request_uri\\n\"; }\n");
        s.append("    location = /redirect { return 302 /index.html; }\n");
        b.serverConfig.forEach(c -> s.append("    ").append(c).append('\n'));
        s.append("  }\n}\n");
        return s.toString();
    }

    private static String listenAddress(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String q(Path p) {
        String s = p.toAbsolutePath().toString();
        if (s.contains("\"") || s.contains("\\")) {
            throw new IllegalArgumentException("unsupported path for nginx config: " + s);
        }
        return "\"" + s + "\"";
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        for (int port : ports()) {
            while (!accepting(port)) {
                if (!process.isAlive()) {
                    throw startupFailure("nginx exited with code " + exitCode() + " before port " + port
                            + " accepted connections");
                }
                if (System.nanoTime() > deadline) {
                    throw startupFailure("nginx did not accept connections on port " + port + " within " + STARTUP);
                }
                ExternalProcess.sleep(25);
            }
        }
    }

    private boolean accepting(int port) {
        if (config.netns == null) {
            return FreePort.accepting(port);
        }
        for (String a : config.addresses) {
            if (!config.netns.accepting(a, port)) {
                return false;
            }
        }
        return true;
    }

    private String exitCode() {
        try {
            return Integer.toString(process.waitFor(Duration.ofSeconds(1)).exitCode());
        } catch (AssertionError e) {
            return "?";
        }
    }

    private AssertionError startupFailure(String what) {
        return new AssertionError(what + "\n--- " + errorLog() + " ---\n" + errorLogText()
                + "\n--- nginx stderr ---\n" + process.stderrSoFar()
                + "\n--- " + prefix.resolve("nginx.conf") + " ---\n" + readOrEmpty(prefix.resolve("nginx.conf")));
    }

    private List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (int p : new int[] {tlsPort, plainPort, h2cPort}) {
            if (p > 0) {
                ports.add(p);
            }
        }
        return ports;
    }

    /** The TLS port; throws if TLS was not enabled. */
    public int tlsPort() {
        return require(tlsPort, "tls()");
    }

    /** The plain HTTP/1.1 port; throws if not enabled. */
    public int plainPort() {
        return require(plainPort, "plain()");
    }

    /** The plaintext HTTP/2 (prior knowledge) port; throws if not enabled. */
    public int h2cPort() {
        return require(h2cPort, "h2c()");
    }

    private static int require(int port, String option) {
        if (port <= 0) {
            throw new IllegalStateException("listener not enabled; use NginxFixture.builder()." + option);
        }
        return port;
    }

    /** {@code https://localhost:TLSPORT} + path (path must start with "/"). */
    public String httpsUrl(String path) {
        return "https://localhost:" + tlsPort() + path;
    }

    /** {@code http://127.0.0.1:PLAINPORT} + path. */
    public String httpUrl(String path) {
        return "http://127.0.0.1:" + plainPort() + path;
    }

    /** {@code http://127.0.0.1:H2CPORT} + path. */
    public String h2cUrl(String path) {
        return "http://127.0.0.1:" + h2cPort() + path;
    }

    /** Whether HTTP/2 is offered over TLS. */
    public boolean http2() {
        return config.http2;
    }

    /** The PKI whose server certificate nginx presents (null without TLS). */
    public TestPki pki() {
        return config.pki;
    }

    /** The directory served. */
    public Path docroot() {
        return docroot;
    }

    /** The bytes of a served file, read from the docroot. */
    public byte[] file(String name) {
        try {
            return Files.readAllBytes(docroot.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("no such docroot file " + name, e);
        }
    }

    /** nginx's prefix directory (config, logs, pid, temp dirs). */
    public Path prefix() {
        return prefix;
    }

    /** The error log file. */
    public Path errorLog() {
        return prefix.resolve("error.log");
    }

    /** The error log's content so far. */
    public String errorLogText() {
        return readOrEmpty(errorLog());
    }

    /**
     * The access log file; one line per request:
     * {@code ADDR:PORT "REQUEST" STATUS BYTES proto=HTTP/x tls=TLSv1.x h2=h2|h2c|}.
     */
    public Path accessLog() {
        return prefix.resolve("access.log");
    }

    /** The access log's content so far. */
    public String accessLogText() {
        return readOrEmpty(accessLog());
    }

    /** The nginx master process. */
    public ExternalProcess process() {
        return process;
    }

    /** Stops nginx (SIGTERM to the master, a grace period, then forcibly); leaves all files in place. */
    @Override
    public void close() {
        process.close();
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }
}
