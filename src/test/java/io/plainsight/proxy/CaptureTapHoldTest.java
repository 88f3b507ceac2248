package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.plainsight.policy.LiveRules;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CaptureTap} holds the wire bytes and secrets that come before the conversation opens,
 * publishes them right after ConnectionOpened in order, and releases every buffer it does not
 * publish (capture off, passed through, handed over, never opened).
 */
class CaptureTapHoldTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 443);

    @TempDir
    Path tmp;

    static final class Recording implements Sink {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void accept(CaptureEvent e) {
            if (e instanceof WireChunk w) {
                seen.add("Wire " + w.leg() + " " + w.direction() + " " + w.data().toString(StandardCharsets.US_ASCII));
            } else if (e instanceof TlsSecrets s) {
                seen.add("Secrets " + s.leg() + " " + s.keyLogLines().strip());
            } else {
                seen.add(e.getClass().getSimpleName());
            }
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
    }

    static ByteBuf ascii(String s) {
        return Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void whatComesBeforeTheOpeningIsPublishedRightAfterItInOrder() {
        Recording sink = new Recording();
        ByteBuf hello = ascii("hello");
        ByteBuf reply = ascii("reply");
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            CaptureTap tap = new CaptureTap(bus, Mode.REVERSE);
            tap.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, hello);
            tap.secrets(Leg.UPSTREAM, "CLIENT_RANDOM aa bb\n");
            tap.open(CLIENT, SERVER, SERVER, null, true, Interception.DECRYPTED);
            tap.wire(Leg.UPSTREAM, Direction.SERVER_TO_CLIENT, reply);
            tap.close(CloseKind.FIN, Direction.CLIENT_TO_SERVER, null);
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sink.seen).containsExactly("ConnectionOpened", "Wire CLIENT CLIENT_TO_SERVER hello",
                "Secrets UPSTREAM CLIENT_RANDOM aa bb", "Wire UPSTREAM SERVER_TO_CLIENT reply", "ConnectionClosed");
        // the tap took slices; the caller still owns its own reference
        assertThat(hello.refCnt()).isEqualTo(1);
        assertThat(reply.refCnt()).isEqualTo(1);
        hello.release();
        reply.release();
    }

    @Test
    void aConversationKeptOutByCaptureOffPublishesNothingAndReleasesWhatItHeld() throws Exception {
        Path rules = tmp.resolve("r.rules");
        Files.writeString(rules, "quiet match client.ip == 127.0.0.2 => capture off\n");
        InterceptPolicy policy = InterceptPolicy.decryptAll();
        policy.rules(LiveRules.load(rules));
        Recording sink = new Recording();
        ByteBuf early = ascii("early");
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            CaptureTap tap = new CaptureTap(bus, Mode.PROXY, policy);
            tap.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, early);
            early.release();
            tap.secrets(Leg.CLIENT, "CLIENT_RANDOM aa bb\n");
            tap.open(CLIENT, SERVER, SERVER, null, true, Interception.DECRYPTED);
            ByteBuf late = ascii("late");
            tap.wire(Leg.UPSTREAM, Direction.CLIENT_TO_SERVER, late);
            late.release();
            assertThat(late.refCnt()).isZero();
            tap.secrets(Leg.UPSTREAM, "CLIENT_RANDOM cc dd\n");
            tap.close(CloseKind.FIN, null, null);
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sink.seen).isEmpty();
        assertThat(early.refCnt()).isZero();
    }

    @Test
    void aPassedThroughConversationPublishesNoWireBytes() {
        Recording sink = new Recording();
        ByteBuf early = ascii("clienthello");
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            CaptureTap tap = new CaptureTap(bus, Mode.PROXY);
            tap.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, early);
            early.release();
            tap.open(CLIENT, SERVER, SERVER, "bank.test", true, Interception.PASSED_THROUGH);
            tap.close(CloseKind.FIN, null, null);
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sink.seen).containsExactly("ConnectionOpened", "ConnectionClosed");
        assertThat(early.refCnt()).isZero();
    }

    @Test
    void heldBytesAreReleasedWhenTheWireStopsOrTheConversationNeverOpens() {
        Recording sink = new Recording();
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            CaptureTap handedOver = new CaptureTap(bus, Mode.PROXY);
            ByteBuf request = ascii("GET http://x/ HTTP/1.1\r\n\r\n");
            handedOver.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, request);
            request.release();
            handedOver.secrets(Leg.CLIENT, "CLIENT_RANDOM aa bb\n");
            handedOver.stopWire();
            assertThat(request.refCnt()).isZero();
            ByteBuf more = ascii("more");
            handedOver.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, more);
            assertThat(more.refCnt()).isEqualTo(1);
            more.release();
            handedOver.discardHeld();

            CaptureTap neverOpened = new CaptureTap(bus, Mode.REVERSE);
            ByteBuf partial = ascii("\u0016\u0003\u0001");
            neverOpened.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, partial);
            partial.release();
            neverOpened.close(CloseKind.ERROR, null, "x");
            assertThat(partial.refCnt()).isZero();
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void tooManyBytesBeforeTheOpeningStopTheConversationsWire() {
        Recording sink = new Recording();
        ByteBuf big = Unpooled.directBuffer().writeZero((int) CaptureTap.MAX_HELD_BYTES);
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            CaptureTap tap = new CaptureTap(bus, Mode.REVERSE);
            tap.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, big);
            ByteBuf one = ascii("x");
            tap.wire(Leg.CLIENT, Direction.CLIENT_TO_SERVER, one);
            one.release();
            assertThat(big.refCnt()).isEqualTo(1); // its held slice was released
            tap.open(CLIENT, SERVER, SERVER, null, true, Interception.DECRYPTED);
            tap.close(CloseKind.FIN, null, null);
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        big.release();
        assertThat(sink.seen).containsExactly("ConnectionOpened", "ConnectionClosed");
    }
}
