package io.plainsight.sink.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.http.DecodeOptions;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.auditlog.AuditLogOutput;
import io.plainsight.sink.auditlog.AuditLogSettings;
import io.plainsight.sink.auditlog.AuditParts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchange sink copies response bodies only when something reads them: an output that says
 * it does, or capture rules (which may redact them or add part E); their sizes are counted always.
 */
class ResponseBodiesTest {
    @TempDir
    Path tmp;

    private static final String BODY = "0123456789".repeat(100);

    /** Keeps the exchanges it is given; reads response bodies or not, as told. */
    private static final class Recording implements ExchangeOutput {
        final boolean reads;
        final List<Exchange> exchanges = new ArrayList<>();

        Recording(boolean reads) {
            this.reads = reads;
        }

        @Override
        public boolean readsResponseBodies() {
            return reads;
        }

        @Override
        public void exchange(ConnectionMeta connection, Exchange exchange) {
            exchanges.add(exchange);
        }

        @Override
        public void webSocket(ConnectionMeta connection, WebSocketMessage message) {}

        @Override
        public void connectionClosed(ConnectionMeta connection, String undecodable) {}

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** One keep-alive GET and its 1,000-byte response, from off-heap buffers as the proxy taps them. */
    private static void feed(ExchangeSink sink) throws Exception {
        sink.accept(new ConnectionOpened(1, 1, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 40000),
                new InetSocketAddress("127.0.0.1", 8443), new InetSocketAddress("127.0.0.1", 443), null, true));
        data(sink, Direction.CLIENT_TO_SERVER, "GET /1k HTTP/1.1\r\nHost: a.test\r\n\r\n");
        data(sink, Direction.SERVER_TO_CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + BODY);
        sink.accept(new ConnectionClosed(1, 5, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
        sink.close();
    }

    private static void data(ExchangeSink sink, Direction d, String s) throws Exception {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer();
        try {
            b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            sink.accept(new DataChunk(1, 2, d, b));
        } finally {
            b.release();
        }
    }

    private static ExchangeSink sink(List<ExchangeOutput> outputs, ExchangeRules rules) {
        return new ExchangeSink(new HttpDecoders(DecodeOptions.defaults()), outputs, (c, x) -> true, rules);
    }

    @Test
    void responseBodiesAreOnlyCountedWhenNoOutputReadsThem() throws Exception {
        Recording output = new Recording(false);
        feed(sink(List.of(output), null));
        Exchange x = output.exchanges.get(0);
        assertThat(x.response.body.size()).isEqualTo(1000);
        assertThat(x.response.body.bytes()).isEmpty();
        assertThat(x.response.complete).isTrue();
    }

    @Test
    void responseBodiesAreKeptWhenOneOutputReadsThem() throws Exception {
        Recording notReading = new Recording(false);
        Recording reading = new Recording(true);
        feed(sink(List.of(notReading, reading), null));
        assertThat(new String(reading.exchanges.get(0).response.body.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo(BODY);
        assertThat(notReading.exchanges.get(0)).isSameAs(reading.exchanges.get(0));
    }

    @Test
    void responseBodiesAreKeptWithCaptureRules() throws Exception {
        // a rule may add part E to an exchange's audit entry: which exchanges is known only once decoded
        ExchangeRules rules = ExchangeRulesTest.rules("""
                1001 "backend error" match http.response.code >= 500 => parts +E
                """);
        Recording output = new Recording(false);
        feed(sink(List.of(output), rules));
        assertThat(output.exchanges.get(0).response.body.bytes()).hasSize(1000);
    }

    @Test
    void theAuditLogReadsResponseBodiesOnlyWithPartE() {
        AuditLogSettings settings = AuditLogSettings.defaults();
        String log = tmp.resolve("audit.log").toString();
        assertThat(AuditLogOutput.open(settings, log, 1024).readsResponseBodies()).isFalse();
        assertThat(AuditLogOutput.open(settings.withParts(AuditParts.parse("ABEFHZ")), log, 1024).readsResponseBodies())
                .isTrue();
    }
}
