package io.plainsight.http;

import static io.plainsight.http.WebSocketWire.closePayload;
import static io.plainsight.http.WebSocketWire.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.plainsight.event.Direction;
import io.plainsight.http.WebSocketPeers.Binary;
import io.plainsight.http.WebSocketPeers.Close;
import io.plainsight.http.WebSocketPeers.Ping;
import io.plainsight.http.WebSocketPeers.Send;
import io.plainsight.http.WebSocketPeers.Session;
import io.plainsight.http.WebSocketPeers.Text;
import io.plainsight.http.WebSocketWire.Recorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder against frames made by real implementations: Java's HttpClient WebSocket and Netty's
 * client (with permessage-deflate, with and without context takeover), both talking to a Netty echo
 * server. Recorded once as fixtures under {@code src/test/resources/websocket/} (the bytes that
 * crossed the server's socket, HTTP upgrade included), and run live as well.
 */
class WebSocketPeersTest {
    private static final String DIR = "src/test/resources/websocket/";

    @ParameterizedTest
    @CsvSource({"jdk, false", "netty-deflate, false", "netty-deflate-no-context, true"})
    void recordedFixtures(String name, boolean noContext) throws Exception {
        Session s = new Session(resource(name + ".c2s.bin"), resource(name + ".s2c.bin"));
        check(name, s, noContext);
    }

    @Test
    void liveJdkClient() throws Exception {
        check("jdk", WebSocketPeers.jdkClient(), false);
    }

    @Test
    void liveNettyClientWithDeflate() throws Exception {
        check("netty-deflate", WebSocketPeers.nettyClient(false), false);
        check("netty-deflate-no-context", WebSocketPeers.nettyClient(true), true);
    }

    /** Writes the fixtures: {@code mvn test -Dtest=WebSocketPeersTest#record -Dplainsight.recordFixtures=true}. */
    @Test
    @EnabledIfSystemProperty(named = "plainsight.recordFixtures", matches = "true")
    void record() throws Exception {
        write("jdk", WebSocketPeers.jdkClient());
        write("netty-deflate", WebSocketPeers.nettyClient(false));
        write("netty-deflate-no-context", WebSocketPeers.nettyClient(true));
    }

    private static void write(String name, Session s) throws IOException {
        Files.createDirectories(Path.of(DIR));
        Files.write(Path.of(DIR, name + ".c2s.bin"), s.clientToServer());
        Files.write(Path.of(DIR, name + ".s2c.bin"), s.serverToClient());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebSocketPeersTest.class.getResourceAsStream("/websocket/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void check(String name, Session s, boolean noContext) throws Http1ParseException {
        boolean jdk = name.equals("jdk");
        Http1Head request = Http1HeadParser.parseRequest(Unpooled.wrappedBuffer(s.clientToServer()), 65536);
        Http1Head response = Http1HeadParser.parseResponse(Unpooled.wrappedBuffer(s.serverToClient()), 65536);
        assertThat(request.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(response.status()).isEqualTo(101);
        String extensions = response.header("Sec-WebSocket-Extensions");
        if (jdk) {
            assertThat(extensions).isNull();
        } else {
            PerMessageDeflate deflate = PerMessageDeflate.parse(extensions);
            assertThat(deflate).as(extensions).isNotNull();
            assertThat(deflate.clientNoContextTakeover()).isEqualTo(noContext);
            assertThat(deflate.serverNoContextTakeover()).isEqualTo(noContext);
        }
        byte[] c2s = Arrays.copyOfRange(s.clientToServer(), request.length(), s.clientToServer().length);
        byte[] s2c = Arrays.copyOfRange(s.serverToClient(), response.length(), s.serverToClient().length);
        List<Send> script = jdk ? WebSocketPeers.JDK_SCRIPT : WebSocketPeers.NETTY_SCRIPT;

        Recorder r = WebSocketWire.decodeEveryWay(extensions, 1 << 20, c2s, s2c, 3);
        List<String> expected = new ArrayList<>(expected(script, Direction.CLIENT_TO_SERVER, !jdk));
        expected.addAll(expected(script, Direction.SERVER_TO_CLIENT, !jdk));
        assertThat(r.lines().stream().map(l -> l.replaceFirst(" wire=\\d+", "")).toList()).isEqualTo(expected);
        // the payloads are whole and the frames account for every byte
        List<byte[]> payloads = payloads(script);
        for (Direction d : Direction.values()) {
            List<WebSocketMessage> ms = r.messages.stream().filter(m -> m.direction() == d).toList();
            assertThat(ms).extracting(WebSocketMessage::payload).containsExactlyElementsOf(payloads);
            assertThat(ms.stream().mapToLong(WebSocketMessage::wireSize).sum())
                    .isEqualTo(d == Direction.CLIENT_TO_SERVER ? c2s.length : s2c.length);
        }
        // a small body limit changes what is kept, not what is counted
        Recorder small = WebSocketWire.feed(extensions, 100, c2s, s2c, WebSocketWire.Split.WHOLE, 0);
        assertThat(small.messages).hasSameSizeAs(r.messages);
        for (int i = 0; i < r.messages.size(); i++) {
            WebSocketMessage whole = r.messages.get(i);
            WebSocketMessage kept = small.messages.get(i);
            assertThat(kept.size()).isEqualTo(whole.size());
            assertThat(kept.wireSize()).isEqualTo(whole.wireSize());
            assertThat(kept.payload()).isEqualTo(Arrays.copyOf(whole.payload(), (int) Math.min(100, whole.size())));
            assertThat(kept.truncated()).isEqualTo(whole.size() > 100);
        }
    }

    /** The reports a script makes in one direction: the server echoes data, answers pings with pongs and the close with the same. */
    static List<String> expected(List<Send> script, Direction d, boolean compressed) {
        List<String> out = new ArrayList<>();
        String arrow = WebSocketWire.arrow(d);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (Send send : script) {
            switch (send) {
                case Text t -> {
                    text.writeBytes(utf8(t.text()));
                    if (t.last()) {
                        out.add(arrow + dataLine(WebSocketMessage.Type.TEXT, text.toByteArray(), compressed));
                        text.reset();
                    }
                }
                case Binary b -> out.add(arrow + dataLine(WebSocketMessage.Type.BINARY, b.bytes(), compressed));
                case Ping p -> {
                    WebSocketMessage.Type type = d == Direction.CLIENT_TO_SERVER ? WebSocketMessage.Type.PING
                            : WebSocketMessage.Type.PONG;
                    byte[] bytes = utf8(p.text());
                    out.add(arrow + type + " " + WebSocketWire.payload(type, bytes) + " size=" + bytes.length);
                }
                case Close c -> {
                    byte[] bytes = closePayload(c.code(), c.reason());
                    out.add(arrow + "CLOSE " + WebSocketWire.payload(WebSocketMessage.Type.CLOSE, bytes) + " size="
                            + bytes.length + " code=" + c.code() + " reason='" + c.reason() + "'");
                }
            }
        }
        return out;
    }

    private static String dataLine(WebSocketMessage.Type type, byte[] bytes, boolean compressed) {
        return type + " " + WebSocketWire.payload(type, bytes) + " size=" + bytes.length + (compressed ? " compressed" : "");
    }

    /** The payloads of a script's reports, in order (the same both ways). */
    static List<byte[]> payloads(List<Send> script) {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (Send send : script) {
            switch (send) {
                case Text t -> {
                    text.writeBytes(utf8(t.text()));
                    if (t.last()) {
                        out.add(text.toByteArray());
                        text.reset();
                    }
                }
                case Binary b -> out.add(b.bytes());
                case Ping p -> out.add(utf8(p.text()));
                case Close c -> out.add(closePayload(c.code(), c.reason()));
            }
        }
        return out;
    }
}
