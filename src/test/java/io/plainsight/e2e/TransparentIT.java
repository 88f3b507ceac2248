package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Netns;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.TestPki;
import io.plainsight.testing.Tshark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code plainsight transparent} against real redirects: iptables REDIRECT and TPROXY in a gateway
 * namespace, the OUTPUT chain on a host that runs both the client and plainsight, and a client
 * that connects straight to plainsight (routed by its SNI). The iptables and nftables commands are
 * the README's (with this topology's interface name, and root as plainsight's own user).
 * Everything happens in network namespaces these tests create; tshark reads every capture.
 *
 * <pre>
 *  client ns                 gateway ns (plainsight on :8443)              server ns (nginx :443, :80)
 *  c0 10.77.1.2   ------  gc 10.77.1.1       gs 10.77.2.1  ------  s0 10.77.2.2
 *     fd77:1::2              fd77:1::1          fd77:2::1              fd77:2::2
 * </pre>
 */
class TransparentIT {
    static final Path LAUNCHER = Path.of("plainsight").toAbsolutePath();
    static final String PORT = "8443";
    static final String SERVER4 = "10.77.2.2";
    static final String SERVER6 = "fd77:2::2";
    /** How the console writes the IPv6 server address. */
    static final String SERVER6_CONSOLE = "[fd77:2:0:0:0:0:0:2]";
    /** uid of the client processes in the local-host case; plainsight runs as root (uid 0). */
    static final String CLIENT_UID = "65534";

    @BeforeAll
    static void tools() {
        Netns.assumeAvailable();
        ExternalProcess.requireTool("setpriv");
        ExternalProcess.requireTool("curl");
        ExternalProcess.requireTool("nginx");
        ExternalProcess.requireTool("tshark");
    }

    @ParameterizedTest
    @EnumSource(Firewall.class)
    void redirectInAGatewayIsInterceptedAndCaptured(Firewall firewall) throws Exception {
        firewall.require();
        Path pcap;
        try (Topology t = new Topology()) {
            firewall.gatewayRedirect(t.gw, "gc");
            try (Plainsight ps = Plainsight.start(t.gw, "--listen", "[::]:" + PORT)) {
                assertThat(ps.log()).contains("transparent (REDIRECT) listening on");
                Fetch h1 = curl(t.client, null, "--cacert", ps.ca(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/index.html");
                assertThat(h1.status()).as(h1.toString()).isEqualTo(200);
                assertThat(h1.text()).isEqualTo(Docroot.INDEX_HTML);
                Fetch h2 = curl(t.client, null, "--cacert", ps.ca(), "--http2",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/1k.bin");
                assertThat(h2.status()).as(h2.toString()).isEqualTo(200);
                assertThat(h2.httpVersion()).as("ALPN h2 passed through to nginx and back").isEqualTo("2");
                assertThat(h2.body()).isEqualTo(Docroot.content("1k.bin"));
                Fetch plain = curl(t.client, null, "http://" + SERVER4 + "/hello");
                assertThat(plain.text()).as(plain.toString()).isEqualTo(NginxFixture.HELLO_BODY);
                // IPv6, and a client that sends no SNI: the certificate names the address it asked for
                Fetch tls6 = curl(t.client, null, "--cacert", ps.ca(), "--http1.1", "https://[" + SERVER6 + "]/echo");
                assertThat(tls6.text()).as(tls6.toString()).isEqualTo("echo GET /echo\n");
                Fetch plain6 = curl(t.client, null, "http://[" + SERVER6 + "]/hello");
                assertThat(plain6.text()).as(plain6.toString()).isEqualTo(NginxFixture.HELLO_BODY);

                ps.awaitConversations(5);
                // the console line of each names the client and the original destination
                assertThat(ps.console())
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:443 sni=backend\\.test .*alpn=http/1\\.1")
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:443 sni=backend\\.test .*alpn=h2")
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:80 ")
                        .contains(" -> " + SERVER6_CONSOLE + ":443 ")
                        .contains(" -> " + SERVER6_CONSOLE + ":80 ")
                        .doesNotContain("ERROR");
                // nginx was reached by plainsight (from the gateway), never by the client itself
                assertThat(t.nginx.accessLogText().lines())
                        .hasSize(5)
                        .allMatch(l -> l.startsWith("10.77.2.1:") || l.startsWith("fd77:2::1:"), "comes from the gateway");
                pcap = ps.stop();
            }
        }
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(pcap);
        assertThat(tshark.fieldLines(pcap, "http.request", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "http.request.uri"))
                .containsExactlyInAnyOrder(
                        "10.77.1.2\t10.77.2.2\t\t\t/index.html",
                        "10.77.1.2\t10.77.2.2\t\t\t/hello",
                        "\t\tfd77:1::2\tfd77:2::2\t/echo",
                        "\t\tfd77:1::2\tfd77:2::2\t/hello");
        assertThat(tshark.fieldLines(pcap, "http2.headers.path", "ip.src", "ip.dst", "http2.headers.path"))
                .containsExactly("10.77.1.2\t10.77.2.2\t/1k.bin");
    }

    @ParameterizedTest
    @EnumSource(Firewall.class)
    void tproxyInAGatewayIsInterceptedAndCaptured(Firewall firewall) throws Exception {
        firewall.require();
        Path pcap;
        try (Topology t = new Topology()) {
            ExternalProcess.Result probe = firewall.gatewayTproxy(t.gw, "gc");
            // what iptables and nft say when the kernel lacks TPROXY (xt_TPROXY, nft_tproxy)
            boolean unsupported = probe.exitCode() != 0 && probe.stderr().matches(
                    "(?s).*(No chain/target/match by that name|Operation not supported|No such file or directory"
                            + "|Could not process rule).*");
            assumeTrue(!unsupported, "skipped: this kernel has no TPROXY support for " + firewall + " ("
                    + probe.stderr().strip() + ")");
            probe.assertSuccess();
            t.gw.run("ip", "rule", "add", "fwmark", "1", "lookup", "100");
            t.gw.run("ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100");
            t.gw.run("ip", "-6", "rule", "add", "fwmark", "1", "lookup", "100");
            t.gw.run("ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100");
            try (Plainsight ps = Plainsight.start(t.gw, "--tproxy", "--listen", "[::]:" + PORT)) {
                assertThat(ps.log()).contains("transparent (TPROXY) listening on");
                Fetch tls = curl(t.client, null, "--cacert", ps.ca(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/index.html");
                assertThat(tls.status()).as(tls.toString()).isEqualTo(200);
                assertThat(tls.text()).isEqualTo(Docroot.INDEX_HTML);
                Fetch plain = curl(t.client, null, "http://" + SERVER4 + "/hello");
                assertThat(plain.text()).as(plain.toString()).isEqualTo(NginxFixture.HELLO_BODY);
                Fetch tls6 = curl(t.client, null, "--cacert", ps.ca(), "--http1.1", "https://[" + SERVER6 + "]/echo");
                assertThat(tls6.text()).as(tls6.toString()).isEqualTo("echo GET /echo\n");
                Fetch plain6 = curl(t.client, null, "http://[" + SERVER6 + "]/hello");
                assertThat(plain6.text()).as(plain6.toString()).isEqualTo(NginxFixture.HELLO_BODY);

                ps.awaitConversations(4);
                assertThat(ps.console())
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:443 sni=backend\\.test ")
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:80 ")
                        .contains(" -> " + SERVER6_CONSOLE + ":443 ")
                        .contains(" -> " + SERVER6_CONSOLE + ":80 ")
                        .doesNotContain("ERROR");
                assertThat(t.nginx.accessLogText().lines())
                        .hasSize(4)
                        .allMatch(l -> l.startsWith("10.77.2.1:") || l.startsWith("fd77:2::1:"), "comes from the gateway");
                pcap = ps.stop();
            }
        }
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(pcap);
        assertThat(tshark.fieldLines(pcap, "http.request", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "http.request.uri"))
                .containsExactlyInAnyOrder(
                        "10.77.1.2\t10.77.2.2\t\t\t/index.html",
                        "10.77.1.2\t10.77.2.2\t\t\t/hello",
                        "\t\tfd77:1::2\tfd77:2::2\t/echo",
                        "\t\tfd77:1::2\tfd77:2::2\t/hello");
    }

    @Test
    void withoutARedirectTlsIsRoutedByItsSni() throws Exception {
        Path pcap;
        try (Topology t = new Topology()) {
            // what the gateway's resolver says (ip netns exec mounts it over /etc/hosts for plainsight)
            t.gw.hosts("127.0.0.1 localhost\n::1 localhost\n" + SERVER4 + " backend.test\n");
            try (Plainsight ps = Plainsight.start(t.gw, "--listen", "[::]:" + PORT)) {
                // the client connects to plainsight's own port: no original destination
                Fetch routed = curl(t.client, null, "--cacert", ps.ca(), "--http1.1",
                        "--resolve", "backend.test:" + PORT + ":10.77.1.1", "https://backend.test:" + PORT + "/index.html");
                assertThat(routed.status()).as(routed.toString()).isEqualTo(200);
                assertThat(routed.text()).isEqualTo(Docroot.INDEX_HTML);
                ps.awaitLog("routed by its SNI");
                assertThat(ps.log()).containsPattern("#\\d+ 10\\.77\\.1\\.2:\\d+: no original destination \\(not redirected to this"
                        + " port\\?\\): routed by its SNI to backend\\.test:443 \\(10\\.77\\.2\\.2:443\\)");

                // plain TCP and TLS without SNI have nowhere to go: refused, and said so
                ExternalProcess.Result plain = curl(t.client, null, "http://10.77.1.1:" + PORT + "/hello").result();
                assertThat(plain.exitCode()).as(plain.toString()).isNotZero();
                ps.awaitLog("client did not speak TLS and has no original destination (not redirected to this port?):"
                        + " nowhere to send it (first bytes: \"GET /hello HTTP/1.1\\r\\nHos\")");
                ExternalProcess.Result noSni = curl(t.client, null, "--insecure", "https://10.77.1.1:" + PORT + "/").result();
                assertThat(noSni.exitCode()).as(noSni.toString()).isNotZero();
                ps.awaitLog("client has no original destination (not redirected to this port?) and sent no SNI: nowhere to send it");

                ps.awaitConversations(3);
                assertThat(ps.console()).containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:443 sni=backend\\.test ");
                pcap = ps.stop();
            }
        }
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(pcap);
        assertThat(tshark.fieldLines(pcap, "http.request", "ip.src", "ip.dst", "http.request.uri", "http.host"))
                .containsExactly("10.77.1.2\t10.77.2.2\t/index.html\tbackend.test:" + PORT);
    }

    @ParameterizedTest
    @EnumSource(Firewall.class)
    void outputChainOnTheClientsHostExcludingPlainsightsUser(Firewall firewall) throws Exception {
        firewall.require();
        Path pcap;
        Path caDir = Files.createTempDirectory(Path.of("/tmp"), "plainsight-transparent-ca-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (Topology t = new Topology()) {
            // plainsight runs as root ("its own user" here); the clients as uid 65534
            firewall.localHost(t.client);
            try (Plainsight ps = Plainsight.start(t.client, "--listen", "[::]:" + PORT)) {
                Path ca = caDir.resolve("ca.pem");
                Files.copy(Path.of(ps.ca()), ca);
                Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
                Fetch tls = curl(t.client, CLIENT_UID, "--cacert", ca.toString(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/index.html");
                assertThat(tls.status()).as(tls.toString()).isEqualTo(200);
                assertThat(tls.text()).isEqualTo(Docroot.INDEX_HTML);
                Fetch plain = curl(t.client, CLIENT_UID, "http://" + SERVER4 + "/hello");
                assertThat(plain.text()).as(plain.toString()).isEqualTo(NginxFixture.HELLO_BODY);
                Fetch tls6 = curl(t.client, CLIENT_UID, "--cacert", ca.toString(), "--http1.1", "https://[" + SERVER6 + "]/echo");
                assertThat(tls6.text()).as(tls6.toString()).isEqualTo("echo GET /echo\n");
                ps.awaitConversations(3);
                assertThat(ps.console())
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:443 sni=backend\\.test ")
                        .containsPattern("transparent 10\\.77\\.1\\.2:\\d+ -> 10\\.77\\.2\\.2:80 ")
                        .contains(" -> " + SERVER6_CONSOLE + ":443 ")
                        .doesNotContain("ERROR");

                // plainsight's own user is not redirected: root reaches nginx (and its certificate) directly
                Fetch direct = curl(t.client, null, "--cacert", t.pki.caCert().toString(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/hello");
                assertThat(direct.text()).as(direct.toString()).isEqualTo(NginxFixture.HELLO_BODY);

                // a rule that forgets the exclusion sends plainsight's own connection back to it: the
                // loop is recognised and ended instead of followed
                firewall.addLoop(t.client);
                ExternalProcess.Result looped = curl(t.client, CLIENT_UID, "--cacert", ca.toString(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/looped").result();
                assertThat(looped.exitCode()).as(looped.toString()).isNotZero();
                ps.awaitLog("loop: this is plainsight's own connection to 10.77.2.2:443, sent back to plainsight;"
                        + " the redirect rule must exclude plainsight's traffic");
                // the conversations of the loop close (and print their lines) a little after the log
                // line; once their count is stable for 1.5 s it must stay so: the loop ended
                int lines = ps.conversations();
                for (int i = 0; i < 20; i++) {
                    Thread.sleep(1500);
                    int now = ps.conversations();
                    if (now == lines) {
                        break;
                    }
                    lines = now;
                }
                assertThat(lines).as("conversations of the loop (bounded)").isLessThan(40);
                Thread.sleep(1500);
                assertThat(ps.conversations()).as("the loop ended").isEqualTo(lines);
                firewall.removeLoop(t.client);
                Fetch again = curl(t.client, CLIENT_UID, "--cacert", ca.toString(), "--http1.1",
                        "--resolve", "backend.test:443:" + SERVER4, "https://backend.test/index.html");
                assertThat(again.status()).as(again.toString()).isEqualTo(200);
                assertThat(t.nginx.accessLogText()).doesNotContain("/looped");
                pcap = ps.stop();
            }
        } finally {
            Files.deleteIfExists(caDir.resolve("ca.pem"));
            Files.deleteIfExists(caDir);
        }
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(pcap);
        assertThat(tshark.fieldLines(pcap, "http.request", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "http.request.uri"))
                .containsExactlyInAnyOrder(
                        "10.77.1.2\t10.77.2.2\t\t\t/index.html",
                        "10.77.1.2\t10.77.2.2\t\t\t/hello",
                        "\t\tfd77:1::2\tfd77:2::2\t/echo",
                        "10.77.1.2\t10.77.2.2\t\t\t/index.html");
    }

    /** The README's rules, for plainsight on port 8443 and traffic to ports 80 and 443. */
    enum Firewall {
        IPTABLES {
            @Override
            void require() {
                ExternalProcess.requireTool("iptables");
                ExternalProcess.requireTool("ip6tables");
            }

            @Override
            void gatewayRedirect(Netns.Namespace ns, String lan) {
                for (String iptables : List.of("iptables", "ip6tables")) {
                    ns.run(iptables, "-t", "nat", "-A", "PREROUTING", "-i", lan, "-p", "tcp", "-m", "multiport",
                            "--dports", "80,443", "-j", "REDIRECT", "--to-ports", PORT);
                }
            }

            @Override
            ExternalProcess.Result gatewayTproxy(Netns.Namespace ns, String lan) {
                ExternalProcess.Result r = null;
                for (String iptables : List.of("iptables", "ip6tables")) {
                    r = ns.exec(iptables, "-t", "mangle", "-A", "PREROUTING", "-i", lan, "-p", "tcp", "-m", "multiport",
                            "--dports", "80,443", "-j", "TPROXY", "--on-port", PORT, "--tproxy-mark", "1");
                    if (r.exitCode() != 0) {
                        return r;
                    }
                }
                return r;
            }

            @Override
            void localHost(Netns.Namespace ns) {
                for (String iptables : List.of("iptables", "ip6tables")) {
                    ns.run(iptables, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443",
                            "-m", "owner", "!", "--uid-owner", "root", "-j", "REDIRECT", "--to-ports", PORT);
                }
            }

            @Override
            void addLoop(Netns.Namespace ns) {
                ns.run("iptables", "-t", "nat", "-I", "OUTPUT", "1", "-p", "tcp", "--dport", "443",
                        "-j", "REDIRECT", "--to-ports", PORT);
            }

            @Override
            void removeLoop(Netns.Namespace ns) {
                ns.run("iptables", "-t", "nat", "-D", "OUTPUT", "1");
            }
        },
        NFTABLES {
            @Override
            void require() {
                ExternalProcess.requireTool("nft");
            }

            @Override
            void gatewayRedirect(Netns.Namespace ns, String lan) {
                ns.run("nft", "add", "table", "inet", "plainsight");
                ns.run("nft", "add", "chain", "inet", "plainsight", "prerouting", "{ type nat hook prerouting priority dstnat; }");
                ns.run("nft", "add", "rule", "inet", "plainsight", "prerouting", "iifname", "\"" + lan + "\"",
                        "tcp", "dport", "{ 80, 443 }", "redirect", "to", ":" + PORT);
            }

            @Override
            ExternalProcess.Result gatewayTproxy(Netns.Namespace ns, String lan) {
                ns.run("nft", "add", "table", "inet", "plainsight");
                ns.run("nft", "add", "chain", "inet", "plainsight", "divert", "{ type filter hook prerouting priority mangle; }");
                return ns.exec("nft", "add", "rule", "inet", "plainsight", "divert", "iifname", "\"" + lan + "\"",
                        "tcp", "dport", "{ 80, 443 }", "tproxy", "to", ":" + PORT, "meta", "mark", "set", "1", "accept");
            }

            @Override
            void localHost(Netns.Namespace ns) {
                ns.run("nft", "add", "table", "inet", "plainsight");
                ns.run("nft", "add", "chain", "inet", "plainsight", "output", "{ type nat hook output priority -100; }");
                ns.run("nft", "add", "rule", "inet", "plainsight", "output", "meta", "skuid", "!=", "\"root\"",
                        "tcp", "dport", "{ 80, 443 }", "redirect", "to", ":" + PORT);
            }

            @Override
            void addLoop(Netns.Namespace ns) {
                ns.run("nft", "add", "chain", "inet", "plainsight", "loop", "{ type nat hook output priority -101; }");
                ns.run("nft", "add", "rule", "inet", "plainsight", "loop", "tcp", "dport", "443", "redirect", "to", ":" + PORT);
            }

            @Override
            void removeLoop(Netns.Namespace ns) {
                ns.run("nft", "flush", "chain", "inet", "plainsight", "loop");
                ns.run("nft", "delete", "chain", "inet", "plainsight", "loop");
            }
        };

        /** Skips the test (or fails it in CI) when the commands are not installed. */
        abstract void require();

        /** REDIRECT of what comes in on {@code lan} (IPv4 and IPv6). */
        abstract void gatewayRedirect(Netns.Namespace ns, String lan);

        /** TPROXY of what comes in on {@code lan}; the result of the (last) command, which fails without kernel support. */
        abstract ExternalProcess.Result gatewayTproxy(Netns.Namespace ns, String lan);

        /** REDIRECT in the OUTPUT chain of everyone's traffic but root's (plainsight's user here). */
        abstract void localHost(Netns.Namespace ns);

        /** A rule before that one which redirects everyone's port 443, plainsight included. */
        abstract void addLoop(Netns.Namespace ns);

        abstract void removeLoop(Netns.Namespace ns);
    }

    // ---- fixtures ----

    /** Three namespaces joined through the gateway, which forwards; nginx in the server namespace. */
    static final class Topology implements AutoCloseable {
        final Netns net;
        final Netns.Namespace client;
        final Netns.Namespace gw;
        final Netns.Namespace server;
        final TestPki pki = TestPki.shared();
        final NginxFixture nginx;

        Topology() {
            net = Netns.create("client", "gw", "server");
            try {
                client = net.ns("client");
                gw = net.ns("gw");
                server = net.ns("server");
                net.link(client, "c0", List.of("10.77.1.2/24", "fd77:1::2/64"), gw, "gc", List.of("10.77.1.1/24", "fd77:1::1/64"));
                net.link(gw, "gs", List.of("10.77.2.1/24", "fd77:2::1/64"), server, "s0", List.of("10.77.2.2/24", "fd77:2::2/64"));
                client.run("ip", "route", "add", "default", "via", "10.77.1.1");
                client.run("ip", "-6", "route", "add", "default", "via", "fd77:1::1");
                server.run("ip", "route", "add", "default", "via", "10.77.2.1");
                server.run("ip", "-6", "route", "add", "default", "via", "fd77:2::1");
                gw.sysctl("net.ipv4.ip_forward", "1");
                gw.sysctl("net.ipv6.conf.all.forwarding", "1");
                TestPki.Issued cert = pki.issue("backend.test", "backend.test", SERVER4, SERVER6);
                nginx = NginxFixture.builder().netns(server).listen(SERVER4, SERVER6).ports(443, 80)
                        .certificate(cert).tls().http2(true).plain().start();
            } catch (RuntimeException | AssertionError e) {
                net.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                nginx.close();
            } finally {
                net.close();
            }
        }
    }

    /** plainsight transparent, run with the launcher inside a namespace, capturing to one PCAP file. */
    static final class Plainsight implements AutoCloseable {
        final ExternalProcess process;
        final Path home;
        final Path pcap;

        private Plainsight(ExternalProcess process, Path home, Path pcap) {
            this.process = process;
            this.home = home;
            this.pcap = pcap;
        }

        static Plainsight start(Netns.Namespace ns, String... options) {
            Path dir = TestFiles.newDir("transparent");
            Path home = dir.resolve("home");
            Path pcap = dir.resolve("capture.pcap");
            List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "transparent", "--home", home.toString(),
                    "--pcap", pcap.toString(), "--upstream-ca", TestPki.shared().caCert().toString()));
            cmd.addAll(Arrays.asList(options));
            ExternalProcess p = ns.start(cmd);
            try {
                p.awaitStderr("listening on", Duration.ofSeconds(90));
            } catch (AssertionError e) {
                p.close();
                throw e;
            }
            return new Plainsight(p, home, pcap);
        }

        /** The plainsight CA certificate (created under --home). */
        String ca() {
            return home.resolve("ca.pem").toString();
        }

        String console() {
            return process.stdoutSoFar();
        }

        String log() {
            return process.stderrSoFar();
        }

        int conversations() {
            return (int) console().lines().filter(l -> l.contains(" transparent ")).count();
        }

        void awaitConversations(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (conversations() < n && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(conversations()).as("console lines so far:\n" + console() + "\nlog:\n" + log()).isGreaterThanOrEqualTo(n);
        }

        void awaitLog(String needle) {
            process.awaitStderr(needle, Duration.ofSeconds(20));
        }

        /** Stops plainsight (SIGTERM: the capture is flushed and closed) and returns the capture. */
        Path stop() {
            process.signal("TERM");
            ExternalProcess.Result r = process.waitFor(Duration.ofSeconds(30));
            assertThat(r.exitCode()).as(r.stderr()).isIn(0, 143);
            return pcap;
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** One curl transfer: status, HTTP version, body (from stdout), and the process result. */
    record Fetch(int status, String httpVersion, byte[] body, ExternalProcess.Result result) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "curl -> " + status + " HTTP/" + httpVersion + ", exit " + result.exitCode() + ": " + result.stderr().strip();
        }
    }

    /** Runs curl inside {@code ns}, as root or as {@code uid}; the body is written to stdout, the status to stderr. */
    static Fetch curl(Netns.Namespace ns, String uid, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (uid != null) {
            cmd.addAll(List.of(ExternalProcess.requireTool("setpriv").toString(), "--reuid=" + uid, "--regid=" + uid,
                    "--clear-groups"));
        }
        cmd.addAll(List.of(ExternalProcess.requireTool("curl").toString(), "--silent", "--show-error", "--noproxy", "*",
                "--max-time", "20", "--output", "-", "--write-out", "%{stderr}\n%{http_code} %{http_version}\n"));
        cmd.addAll(Arrays.asList(args));
        ExternalProcess.Result r = ns.exec(cmd.toArray(String[]::new));
        List<String> err = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        String[] w = err.isEmpty() ? new String[0] : err.get(err.size() - 1).strip().split(" ");
        int status = w.length == 2 && w[0].matches("\\d+") ? Integer.parseInt(w[0]) : 0;
        return new Fetch(status, w.length == 2 ? w[1] : "?", r.stdoutBytes(), r);
    }
}
