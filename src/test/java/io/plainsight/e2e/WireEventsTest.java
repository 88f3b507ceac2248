package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.plainsight.policy.LiveRules;
import io.plainsight.proxy.ClientHello;
import io.plainsight.proxy.ClientHelloParser;
import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.InterceptPolicy;
import io.plainsight.proxy.ProxyServer;
import io.plainsight.proxy.ProxySettings;
import io.plainsight.testing.Curl;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.Tcpdump;
import io.plainsight.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live proxy's raw-wire and handshake events, against tcpdump as the independent witness: the
 * {@link WireChunk}s of each leg and direction, concatenated, are exactly the bytes tcpdump saw
 * there; nothing comes before {@link ConnectionOpened}; the {@link TlsEstablished} hello messages
 * are the ones on the wire, the certificate subject and hash are those of the certificate shown,
 * and the {@link TlsSecrets} of each leg belong to that leg's handshake (and decrypt it).
 */
class WireEventsTest extends E2eSupport {
    ProxyServer server;
    CaptureBus bus;
    final Recording recording = new Recording();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (bus != null) {
            bus.close();
            bus = null;
        }
    }

    /** Records every event; wire bytes are copied (the bus releases them after accept). */
    static final class Recording implements Sink {
        final List<CaptureEvent> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void accept(CaptureEvent event) {
            if (event instanceof WireChunk w) {
                events.add(new WireChunk(w.connectionId(), w.timestampMicros(), w.leg(), w.direction(),
                        Unpooled.wrappedBuffer(ByteBufUtil.getBytes(w.data()))));
            } else {
                events.add(event);
            }
        }

        @Override
        public boolean acceptsData() {
            return false;
        }

        @Override
        public boolean acceptsWire() {
            return true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        List<CaptureEvent> of(long id) {
            synchronized (events) {
                return events.stream().filter(e -> e.connectionId() == id).toList();
            }
        }

        <T extends CaptureEvent> List<T> all(Class<T> type) {
            synchronized (events) {
                return events.stream().filter(type::isInstance).map(type::cast).toList();
            }
        }

        byte[] wire(long id, Leg leg, Direction d) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (CaptureEvent e : of(id)) {
                if (e instanceof WireChunk w && w.leg() == leg && w.direction() == d) {
                    out.writeBytes(ByteBufUtil.getBytes(w.data()));
                }
            }
            return out.toByteArray();
        }

        TlsEstablished tls(long id, Leg leg) {
            return of(id).stream().filter(e -> e instanceof TlsEstablished t && t.leg() == leg)
                    .map(TlsEstablished.class::cast).findFirst().orElseThrow();
        }

        String secrets(long id, Leg leg) {
            StringBuilder sb = new StringBuilder();
            for (CaptureEvent e : of(id)) {
                if (e instanceof TlsSecrets s && s.leg() == leg) {
                    sb.append(s.keyLogLines());
                }
            }
            return sb.toString();
        }
    }

    InetSocketAddress start(ProxySettings settings, DefaultProxyTls tls) throws InterruptedException {
        bus = new CaptureBus(List.of(recording));
        server = new ProxyServer(settings, tls, bus);
        return server.start(1);
    }

    InetSocketAddress reverse(NginxFixture backend) throws InterruptedException {
        return start(new ProxySettings(Mode.REVERSE, new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", backend.tlsPort()),
                "backend.test", null, List.of(), Duration.ofMinutes(1)),
                DefaultProxyTls.forReverse(home(), List.of(backend.pki().caCert()), false, Map.of()));
    }

    InetSocketAddress forward(InterceptPolicy policy) throws InterruptedException {
        return start(ProxySettings.forwarding(Mode.PROXY, new HostPort("127.0.0.1", 0), "plainsight", Duration.ofMinutes(1),
                policy, null, false), DefaultProxyTls.forInterception(home(), List.of(nginx.pki().caCert()), false));
    }

    ConnectionClosed awaitClosed(int n) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            bus.drain(10, TimeUnit.SECONDS);
            List<ConnectionClosed> closed = recording.all(ConnectionClosed.class);
            if (closed.size() >= n) {
                return closed.get(n - 1);
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no ConnectionClosed; events: " + recording.events);
    }

    /** Each stream of the capture opened to {@code port}: its index. */
    static int streamTo(Tshark t, Path pcap, int port) {
        List<String> s = t.fieldLines(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == " + port, "tcp.stream");
        assertThat(s).as("connections to port %d", port).hasSize(1);
        return Integer.parseInt(s.get(0).strip());
    }

    @Test
    void reverseProxyWireChunksAreExactlyWhatCrossedEachLegAndTheHelloFieldsAreTheOnesOnTheWire() throws Exception {
        InetSocketAddress listen = reverse(nginx);
        Path pcap;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("wire.pcap"), "tcp", "and", "(", "port",
                Integer.toString(listen.getPort()), "or", "port", Integer.toString(nginx.tlsPort()), ")")) {
            Curl.Response resp = Curl.https("https://backend.test:" + listen.getPort() + "/hello", ourCa(), "--http1.1",
                    "--tlsv1.3", "--resolve", "backend.test:" + listen.getPort() + ":127.0.0.1");
            assertThat(resp.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(1);
            pcap = dump.stop();
        }
        assertThat(recording.all(ConnectionOpened.class)).hasSize(1);
        ConnectionOpened opened = recording.all(ConnectionOpened.class).get(0);
        long id = opened.connectionId();
        assertNothingBeforeOpened(id);

        Tshark t = new Tshark();
        int clientStream = streamTo(t, pcap, listen.getPort());
        int upstreamStream = streamTo(t, pcap, nginx.tlsPort());
        Map<Integer, Tshark.Followed> followed = t.follow(pcap, "tcp", List.of(clientStream, upstreamStream));
        Tshark.Followed clientLeg = followed.get(clientStream);
        Tshark.Followed upstreamLeg = followed.get(upstreamStream);
        // the addresses: client leg between client and listener, upstream leg between upstreamLocal and server
        assertThat(clientLeg.node0()).isEqualTo(addr(opened.client()));
        assertThat(opened.upstreamLocal()).isNotNull();
        assertThat(upstreamLeg.node0()).isEqualTo(addr(opened.upstreamLocal()));
        assertThat(addr(opened.server())).isEqualTo("127.0.0.1:" + nginx.tlsPort());

        byte[] clientSent = recording.wire(id, Leg.CLIENT, Direction.CLIENT_TO_SERVER);
        byte[] toClient = recording.wire(id, Leg.CLIENT, Direction.SERVER_TO_CLIENT);
        byte[] toServer = recording.wire(id, Leg.UPSTREAM, Direction.CLIENT_TO_SERVER);
        byte[] serverSent = recording.wire(id, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT);
        assertSameBytes("client leg, client to plainsight", clientSent, clientLeg.fromNode0());
        assertSameBytes("client leg, plainsight to client", toClient, clientLeg.fromNode1());
        assertSameBytes("upstream leg, plainsight to server", toServer, upstreamLeg.fromNode0());
        assertSameBytes("upstream leg, server to plainsight", serverSent, upstreamLeg.fromNode1());

        // the hellos: handshake messages as they are in the first record each way
        TlsEstablished client = recording.tls(id, Leg.CLIENT);
        TlsEstablished upstream = recording.tls(id, Leg.UPSTREAM);
        assertHello(client.clientHello(), 1, clientSent);
        assertHello(client.serverHello(), 2, toClient);
        assertHello(upstream.clientHello(), 1, toServer);
        assertHello(upstream.serverHello(), 2, serverSent);
        ClientHello parsed = ClientHelloParser.parse(Unpooled.wrappedBuffer(client.clientHello(), 4, client.clientHello().length - 4));
        assertThat(parsed.sni()).isEqualTo("backend.test");
        assertThat(ClientHelloParser.parse(Unpooled.wrappedBuffer(upstream.clientHello(), 4, upstream.clientHello().length - 4))
                .sni()).isEqualTo("backend.test");

        // the upstream certificate: nginx's
        X509Certificate nginxLeaf = firstCertificate(nginx.pki().serverCert());
        assertThat(upstream.certificateSubject()).isEqualTo(nginxLeaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        assertThat(upstream.peerCertificateSha256()).isEqualTo(sha256(nginxLeaf.getEncoded()));

        // the secrets of each leg name that leg's client random, and decrypt that leg
        assertSecretsOf(recording.secrets(id, Leg.CLIENT), client.clientHello(), 5);
        assertSecretsOf(recording.secrets(id, Leg.UPSTREAM), upstream.clientHello(), 5);
        Path keyLog = tmp.resolve("recorded.keylog");
        Files.writeString(keyLog, recording.secrets(id, Leg.CLIENT) + recording.secrets(id, Leg.UPSTREAM));
        // the client leg's certificate, read from the decrypted TLS 1.3 handshake: the subject and hash reported
        // (decoded as TLS by port, not left to tshark's heuristics or another dissector's registration)
        Tshark decrypting = new Tshark().withKeyLog(keyLog).withDecodeAs("tcp.port==" + listen.getPort() + ",tls");
        List<String> certs = decrypting.fieldLines(pcap,
                "tls.handshake.type == 11 && tcp.srcport == " + listen.getPort(), "tls.handshake.certificate");
        assertThat(certs).as(() -> "certificates tshark decrypted; the client leg's TLS records it saw: "
                + decrypting.fieldLines(pcap, "tcp.port == " + listen.getPort() + " && tls",
                        "frame.number", "tls.record.content_type", "tls.handshake.type")
                + "\nkey log:\n" + recording.secrets(id, Leg.CLIENT)).isNotEmpty();
        byte[] shownDer = HexFormat.of().parseHex(certs.get(0).split(",")[0].replace(":", ""));
        X509Certificate shown = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(shownDer));
        assertThat(client.certificateSubject()).isEqualTo(shown.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .contains("backend.test");
        assertThat(client.peerCertificateSha256()).isEqualTo(sha256(shownDer));
    }

    @Test
    void terminateAndOriginateTapTheirPlaintextLegsToo() throws Exception {
        // terminate: TLS from the client, plaintext to the backend
        InetSocketAddress listen = start(new ProxySettings(Mode.TERMINATE, new HostPort("127.0.0.1", 0),
                new HostPort("127.0.0.1", nginx.plainPort()), "backend.test", null, List.of("http/1.1"), Duration.ofMinutes(1)),
                DefaultProxyTls.forReverse(home(), List.of(), false, Map.of()));
        Path pcap;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("terminate.pcap"), "tcp", "and", "(", "port",
                Integer.toString(listen.getPort()), "or", "port", Integer.toString(nginx.plainPort()), ")")) {
            Curl.Response resp = Curl.https("https://backend.test:" + listen.getPort() + "/hello", ourCa(),
                    "--resolve", "backend.test:" + listen.getPort() + ":127.0.0.1");
            assertThat(resp.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(1);
            pcap = dump.stop();
        }
        ConnectionOpened terminated = recording.all(ConnectionOpened.class).get(0);
        assertNothingBeforeOpened(terminated.connectionId());
        assertWireMatches(pcap, terminated, listen.getPort(), nginx.plainPort());
        assertSecretsOf(recording.secrets(terminated.connectionId(), Leg.CLIENT),
                recording.tls(terminated.connectionId(), Leg.CLIENT).clientHello(), 5);
        assertThat(recording.secrets(terminated.connectionId(), Leg.UPSTREAM)).isEmpty();
        assertThat(new String(recording.wire(terminated.connectionId(), Leg.UPSTREAM, Direction.CLIENT_TO_SERVER),
                java.nio.charset.StandardCharsets.US_ASCII)).startsWith("GET /hello HTTP/1.1\r\n");
        stopServer();

        // originate: plaintext from the client, TLS to the backend
        recording.events.clear();
        listen = start(new ProxySettings(Mode.ORIGINATE, new HostPort("127.0.0.1", 0),
                new HostPort("127.0.0.1", nginx.tlsPort()), null, null, List.of("http/1.1"), Duration.ofMinutes(1)),
                DefaultProxyTls.forOriginate(List.of(nginx.pki().caCert()), false));
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("originate.pcap"), "tcp", "and", "(", "port",
                Integer.toString(listen.getPort()), "or", "port", Integer.toString(nginx.tlsPort()), ")")) {
            Curl.Response resp = Curl.http("http://127.0.0.1:" + listen.getPort() + "/hello", "-H", "Host: backend.test");
            assertThat(resp.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(1);
            pcap = dump.stop();
        }
        ConnectionOpened originated = recording.all(ConnectionOpened.class).get(0);
        assertNothingBeforeOpened(originated.connectionId());
        assertWireMatches(pcap, originated, listen.getPort(), nginx.tlsPort());
        TlsEstablished upstream = recording.tls(originated.connectionId(), Leg.UPSTREAM);
        assertHello(upstream.clientHello(), 1, recording.wire(originated.connectionId(), Leg.UPSTREAM, Direction.CLIENT_TO_SERVER));
        assertHello(upstream.serverHello(), 2, recording.wire(originated.connectionId(), Leg.UPSTREAM, Direction.SERVER_TO_CLIENT));
        assertSecretsOf(recording.secrets(originated.connectionId(), Leg.UPSTREAM), upstream.clientHello(), 5);
        assertThat(recording.secrets(originated.connectionId(), Leg.CLIENT)).isEmpty();
    }

    /** Both legs' wire chunks, each way, are the bytes tcpdump saw on that leg (client first to the listener). */
    void assertWireMatches(Path pcap, ConnectionOpened opened, int listenPort, int serverPort) {
        Tshark t = new Tshark();
        int clientStream = streamTo(t, pcap, listenPort);
        int upstreamStream = streamTo(t, pcap, serverPort);
        Map<Integer, Tshark.Followed> f = t.follow(pcap, "tcp", List.of(clientStream, upstreamStream));
        long id = opened.connectionId();
        assertThat(f.get(clientStream).node0()).isEqualTo(addr(opened.client()));
        assertThat(f.get(upstreamStream).node0()).isEqualTo(addr(opened.upstreamLocal()));
        assertSameBytes("client leg, client to plainsight", recording.wire(id, Leg.CLIENT, Direction.CLIENT_TO_SERVER),
                f.get(clientStream).fromNode0());
        assertSameBytes("client leg, plainsight to client", recording.wire(id, Leg.CLIENT, Direction.SERVER_TO_CLIENT),
                f.get(clientStream).fromNode1());
        assertSameBytes("upstream leg, plainsight to server", recording.wire(id, Leg.UPSTREAM, Direction.CLIENT_TO_SERVER),
                f.get(upstreamStream).fromNode0());
        assertSameBytes("upstream leg, server to plainsight", recording.wire(id, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT),
                f.get(upstreamStream).fromNode1());
    }

    @Test
    void tls12HellosAndSecretsOnBothLegs() throws Exception {
        try (NginxFixture nginx12 = NginxFixture.builder().tls().http2(false).tlsProtocols("TLSv1.2").start()) {
            InetSocketAddress listen = reverse(nginx12);
            Curl.Response resp = Curl.https("https://backend.test:" + listen.getPort() + "/hello", ourCa(), "--http1.1",
                    "--tlsv1.2", "--tls-max", "1.2", "--resolve", "backend.test:" + listen.getPort() + ":127.0.0.1");
            assertThat(resp.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(1);
        }
        long id = recording.all(ConnectionOpened.class).get(0).connectionId();
        assertNothingBeforeOpened(id);
        for (Leg leg : Leg.values()) {
            TlsEstablished tls = recording.tls(id, leg);
            assertThat(tls.protocol()).isEqualTo("TLSv1.2");
            assertThat(tls.clientHello()[0]).isEqualTo((byte) 1);
            assertThat(tls.serverHello()[0]).isEqualTo((byte) 2);
            assertThat(tls.serverHello()[4] & 0xff).as("server_version major").isEqualTo(3);
            assertThat(tls.certificateSubject()).isNotBlank();
            assertSecretsOf(recording.secrets(id, leg), tls.clientHello(), 1);
        }
    }

    @Test
    void forwardProxyWireChunksIncludeTheConnectExchangeAndPlainForwardingTapsTheOriginLeg() throws Exception {
        InetSocketAddress listen = forward(InterceptPolicy.decryptAll());
        Path pcap;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("wire.pcap"), "tcp", "and", "(", "port",
                Integer.toString(listen.getPort()), "or", "port", Integer.toString(nginx.tlsPort()), "or", "port",
                Integer.toString(nginx.plainPort()), ")")) {
            String proxy = "http://127.0.0.1:" + listen.getPort();
            Curl.Response tls = Curl.https("https://localhost:" + nginx.tlsPort() + "/hello", ourCa(), "--http1.1",
                    "--noproxy", "", "--proxy", proxy);
            assertThat(tls.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(1);
            Curl.Response plain = Curl.http("http://127.0.0.1:" + nginx.plainPort() + "/hello", "--noproxy", "", "--proxy", proxy);
            assertThat(plain.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            awaitClosed(2);
            pcap = dump.stop();
        }
        List<ConnectionOpened> opened = recording.all(ConnectionOpened.class);
        assertThat(opened).hasSize(2);
        Tshark t = new Tshark();

        // CONNECT: the client leg from its first byte (the CONNECT request), the upstream leg as sent
        ConnectionOpened tunnel = opened.get(0);
        assertNothingBeforeOpened(tunnel.connectionId());
        List<String> clientStreams = t.fieldLines(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == "
                + listen.getPort(), "tcp.stream");
        assertThat(clientStreams).hasSize(2);
        int clientStream = Integer.parseInt(clientStreams.get(0).strip());
        int upstreamStream = streamTo(t, pcap, nginx.tlsPort());
        Map<Integer, Tshark.Followed> f = t.follow(pcap, "tcp", List.of(clientStream, upstreamStream));
        byte[] clientSent = recording.wire(tunnel.connectionId(), Leg.CLIENT, Direction.CLIENT_TO_SERVER);
        assertThat(new String(clientSent, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("CONNECT ");
        assertSameBytes("tunnel client leg, client to plainsight", clientSent, f.get(clientStream).fromNode0());
        assertSameBytes("tunnel client leg, plainsight to client",
                recording.wire(tunnel.connectionId(), Leg.CLIENT, Direction.SERVER_TO_CLIENT), f.get(clientStream).fromNode1());
        assertSameBytes("tunnel upstream leg, plainsight to server",
                recording.wire(tunnel.connectionId(), Leg.UPSTREAM, Direction.CLIENT_TO_SERVER), f.get(upstreamStream).fromNode0());
        assertSameBytes("tunnel upstream leg, server to plainsight",
                recording.wire(tunnel.connectionId(), Leg.UPSTREAM, Direction.SERVER_TO_CLIENT), f.get(upstreamStream).fromNode1());
        assertThat(f.get(upstreamStream).node0()).isEqualTo(addr(tunnel.upstreamLocal()));
        TlsEstablished client = recording.tls(tunnel.connectionId(), Leg.CLIENT);
        assertThat(client.clientHello()[0]).isEqualTo((byte) 1);
        assertThat(client.serverHello()[0]).isEqualTo((byte) 2);
        assertThat(recording.tls(tunnel.connectionId(), Leg.UPSTREAM).serverHello()[0]).isEqualTo((byte) 2);

        // forwarded plain HTTP: the origin connection's leg is tapped (the client's connection carries
        // several origins' requests and is not)
        ConnectionOpened forwarded = opened.get(1);
        assertNothingBeforeOpened(forwarded.connectionId());
        int originStream = streamTo(t, pcap, nginx.plainPort());
        Tshark.Followed origin = t.follow(pcap, "tcp", List.of(originStream)).get(originStream);
        assertThat(origin.node0()).isEqualTo(addr(forwarded.upstreamLocal()));
        assertSameBytes("origin leg, plainsight to server",
                recording.wire(forwarded.connectionId(), Leg.UPSTREAM, Direction.CLIENT_TO_SERVER), origin.fromNode0());
        assertSameBytes("origin leg, server to plainsight",
                recording.wire(forwarded.connectionId(), Leg.UPSTREAM, Direction.SERVER_TO_CLIENT), origin.fromNode1());
        assertThat(recording.wire(forwarded.connectionId(), Leg.CLIENT, Direction.CLIENT_TO_SERVER)).isEmpty();
    }

    @Test
    void aConversationKeptOutByCaptureOffPublishesNoWireAndNoSecrets() throws Exception {
        Path rules = tmp.resolve("rules.rules");
        Files.writeString(rules, "quiet match client.ip == 127.0.0.3 => capture off\n");
        InterceptPolicy policy = InterceptPolicy.decryptAll();
        policy.rules(LiveRules.load(rules));
        InetSocketAddress listen = forward(policy);
        String proxy = "http://127.0.0.1:" + listen.getPort();
        for (String from : List.of("127.0.0.3", "127.0.0.2")) {
            Curl.Response r = Curl.https("https://localhost:" + nginx.tlsPort() + "/hello", ourCa(), "--http1.1",
                    "--interface", from, "--noproxy", "", "--proxy", proxy);
            assertThat(r.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
        }
        awaitClosed(1);
        Thread.sleep(300);
        bus.drain(10, TimeUnit.SECONDS);
        // only the conversation from 127.0.0.2 reached the sink, with its wire and both legs' secrets
        List<ConnectionOpened> opened = recording.all(ConnectionOpened.class);
        assertThat(opened).hasSize(1);
        assertThat(opened.get(0).client().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        long id = opened.get(0).connectionId();
        synchronized (recording.events) {
            assertThat(recording.events).allSatisfy(e -> assertThat(e.connectionId()).isEqualTo(id));
        }
        assertThat(recording.secrets(id, Leg.CLIENT)).isNotEmpty();
        assertThat(recording.secrets(id, Leg.UPSTREAM)).isNotEmpty();
    }

    /** Every event of the connection comes after its ConnectionOpened, and its ConnectionClosed is last. */
    void assertNothingBeforeOpened(long id) {
        List<CaptureEvent> events = recording.of(id);
        assertThat(events).isNotEmpty();
        assertThat(events.get(0)).isInstanceOf(ConnectionOpened.class);
        assertThat(events.get(events.size() - 1)).isInstanceOf(ConnectionClosed.class);
        assertThat(events.stream().filter(e -> e instanceof ConnectionOpened)).hasSize(1);
        // the secrets of a leg come before its TlsEstablished
        for (Leg leg : Leg.values()) {
            int secrets = -1;
            int established = -1;
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i) instanceof TlsSecrets s && s.leg() == leg && secrets < 0) {
                    secrets = i;
                }
                if (events.get(i) instanceof TlsEstablished e && e.leg() == leg) {
                    established = i;
                }
            }
            if (established >= 0) {
                assertThat(secrets).as("TlsSecrets of %s", leg).isBetween(1, established);
            }
        }
    }

    static void assertSameBytes(String what, byte[] recorded, byte[] onTheWire) {
        assertThat(onTheWire).as(what + ": tcpdump saw bytes").isNotEmpty();
        if (!Arrays.equals(recorded, onTheWire)) {
            throw new AssertionError(what + ": recorded " + recorded.length + " bytes, tcpdump saw " + onTheWire.length
                    + "; first difference at " + Arrays.mismatch(recorded, onTheWire));
        }
    }

    /** {@code hello} is a handshake message of this type, and is what the first record on the wire carries. */
    static void assertHello(byte[] hello, int type, byte[] wire) {
        assertThat(hello).isNotNull();
        assertThat(hello[0]).isEqualTo((byte) type);
        int length = ((hello[1] & 0xff) << 16) | ((hello[2] & 0xff) << 8) | (hello[3] & 0xff);
        assertThat(hello).hasSize(4 + length);
        assertThat(wire[0]).as("a handshake record").isEqualTo((byte) 22);
        assertThat(Arrays.copyOfRange(wire, 5, 5 + hello.length)).isEqualTo(hello);
    }

    /** The key log lines are {@code n} of one handshake, whose client random is {@code clientHello}'s. */
    static void assertSecretsOf(String lines, byte[] clientHello, int n) {
        String random = HexFormat.of().formatHex(clientHello, 6, 38);
        assertThat(lines.lines().toList()).hasSize(n).allSatisfy(l -> assertThat(l.split(" ")[1]).isEqualTo(random));
        assertThat(lines).endsWith("\n");
    }

    static String addr(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static X509Certificate firstCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static String sha256(byte[] der) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    }
}
