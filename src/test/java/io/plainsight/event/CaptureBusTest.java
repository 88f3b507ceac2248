package io.plainsight.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CaptureBusTest {
    static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1);

    static class Recording implements Sink {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        volatile int flushes;
        volatile boolean closed;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void accept(CaptureEvent event) {
            if (event instanceof DataChunk d) {
                seen.add(d.data().toString(java.nio.charset.StandardCharsets.US_ASCII));
            } else {
                seen.add(event.getClass().getSimpleName());
            }
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Failing implements Sink {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public void accept(CaptureEvent event) throws IOException {
            throw new IOException("No space left on device");
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void deliversInOrderToEverySinkAndReleasesEachReference() {
        Recording a = new Recording();
        Failing broken = new Failing();
        Recording b = new Recording();
        List<ByteBuf> bufs = new ArrayList<>();
        try (CaptureBus bus = new CaptureBus(List.of(a, broken, b))) {
            bus.publish(new ConnectionOpened(1, 0, Mode.REVERSE, A, A, A, null, true));
            for (int i = 0; i < 1000; i++) {
                ByteBuf buf = ascii("m" + i);
                bufs.add(buf);
                bus.publish(new DataChunk(1, i, Direction.CLIENT_TO_SERVER, buf));
            }
            bus.publish(new ConnectionClosed(1, 2000, CloseKind.FIN, null, null, 0, 0));
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(bus.dropped("failing")).isEqualTo(1002);
            assertThat(bus.dropped("recording")).isZero();
        }
        assertThat(a.seen).hasSize(1002).startsWith("ConnectionOpened", "m0", "m1").endsWith("m999", "ConnectionClosed");
        assertThat(b.seen).isEqualTo(a.seen);
        assertThat(bufs).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(a.closed).isTrue();
        assertThat(a.flushes).isPositive();
    }

    /**
     * Slices of shared buffers (as the proxy publishes small chunks) and buffers of their own, mixed:
     * each sink releases every reference, those of one shared buffer together; every shared buffer
     * is freed once drained, none before every sink handled its slices.
     */
    @Test
    void slicesOfSharedBuffersAreReleasedByEverySink() {
        Recording a = new Recording();
        Recording b = new Recording();
        List<ByteBuf> shared = new ArrayList<>();
        List<ByteBuf> own = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        try (CaptureBus bus = new CaptureBus(List.of(a, b))) {
            bus.publish(new ConnectionOpened(1, 0, Mode.REVERSE, A, A, A, null, true));
            expected.add("ConnectionOpened");
            ByteBuf slab = null;
            for (int i = 0; i < 1000; i++) {
                String text = "s" + i;
                if (i % 50 == 0) {
                    if (slab != null) {
                        slab.release(); // the producer's own reference
                    }
                    slab = Unpooled.directBuffer(1024);
                    shared.add(slab);
                }
                if (i % 7 == 3) { // a buffer of its own between slices
                    ByteBuf buf = ascii("o" + i);
                    own.add(buf);
                    bus.publish(new DataChunk(1, i, Direction.CLIENT_TO_SERVER, buf));
                    expected.add("o" + i);
                    continue;
                }
                int at = slab.writerIndex();
                slab.writeCharSequence(text, java.nio.charset.StandardCharsets.US_ASCII);
                slab.retain();
                bus.publish(new DataChunk(1, i, Direction.SERVER_TO_CLIENT, slab.slice(at, text.length())));
                expected.add(text);
            }
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(slab.refCnt()).as("the producer still holds the last one").isEqualTo(1);
            slab.release();
        }
        assertThat(a.seen).isEqualTo(expected);
        assertThat(b.seen).isEqualTo(expected);
        assertThat(shared).hasSize(20).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(own).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void dropPolicyCountsAndReleasesWhenSinkIsSlow() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recording slow = new Recording() {
            @Override
            public void accept(CaptureEvent event) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.accept(event);
            }
        };
        List<ByteBuf> bufs = new ArrayList<>();
        try (CaptureBus bus = new CaptureBus(List.of(slow), OverflowPolicy.DROP, 4096)) {
            for (int i = 0; i < 100; i++) {
                ByteBuf buf = Unpooled.buffer(1000).writeZero(1000);
                bufs.add(buf);
                bus.publish(new DataChunk(1, i, Direction.SERVER_TO_CLIENT, buf));
            }
            assertThat(bus.dropped("recording")).isGreaterThan(90);
            gate.countDown();
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(slow.seen.size() + bus.dropped("recording")).isEqualTo(100);
        }
        assertThat(bufs).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void blockPolicyLosesNothing() {
        Recording slowish = new Recording() {
            @Override
            public void accept(CaptureEvent event) {
                if (seen.size() % 10 == 0) {
                    Thread.onSpinWait();
                }
                super.accept(event);
            }
        };
        try (CaptureBus bus = new CaptureBus(List.of(slowish), OverflowPolicy.BLOCK, 2048)) {
            for (int i = 0; i < 2000; i++) {
                bus.publish(new DataChunk(1, i, Direction.SERVER_TO_CLIENT, Unpooled.buffer(500).writeZero(500)));
            }
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(bus.dropped("recording")).isZero();
        }
        assertThat(slowish.seen).hasSize(2000);
    }

    @Test
    void connectionOnlySinksGetNoData() {
        Recording meta = new Recording() {
            @Override
            public boolean acceptsData() {
                return false;
            }
        };
        ByteBuf buf = ascii("payload");
        try (CaptureBus bus = new CaptureBus(List.of(meta))) {
            assertThat(bus.wantsData()).isFalse();
            bus.publish(new ConnectionOpened(1, 0, Mode.REVERSE, A, A, A, null, true));
            bus.publish(new DataChunk(1, 1, Direction.CLIENT_TO_SERVER, buf));
            bus.publish(new ConnectionClosed(1, 2, CloseKind.FIN, null, null, 7, 0));
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(meta.seen).containsExactly("ConnectionOpened", "ConnectionClosed");
        assertThat(buf.refCnt()).isZero();
    }

    @Test
    void wireBytesGoOnlyToSinksThatAskAndEveryReferenceIsReleased() {
        Recording plain = new Recording();
        Recording wire = new Recording() {
            @Override
            public boolean acceptsWire() {
                return true;
            }
        };
        ByteBuf records = ascii("\u0016\u0003\u0003");
        try (CaptureBus bus = new CaptureBus(List.of(plain, wire))) {
            assertThat(bus.wantsWire()).isTrue();
            bus.publish(new ConnectionOpened(1, 0, Mode.REVERSE, A, A, A, null, true));
            bus.publish(new WireChunk(1, 1, Leg.CLIENT, Direction.CLIENT_TO_SERVER, records));
            bus.publish(new TlsSecrets(1, 2, Leg.CLIENT, "CLIENT_RANDOM 00 11\n"));
            bus.publish(new ConnectionClosed(1, 3, CloseKind.FIN, null, null, 0, 0));
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(plain.seen).containsExactly("ConnectionOpened", "TlsSecrets", "ConnectionClosed");
        assertThat(wire.seen).containsExactly("ConnectionOpened", "WireChunk", "TlsSecrets", "ConnectionClosed");
        assertThat(records.refCnt()).isZero();
        try (CaptureBus none = new CaptureBus(List.of(plain))) {
            assertThat(none.wantsWire()).isFalse();
            ByteBuf unwanted = ascii("x");
            none.publish(new WireChunk(1, 1, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT, unwanted));
            assertThat(unwanted.refCnt()).isZero();
        }
    }
}
