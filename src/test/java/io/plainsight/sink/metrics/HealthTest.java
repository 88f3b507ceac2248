package io.plainsight.sink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.SinkStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** /healthz's verdicts over a real capture bus, its sinks failing, stuck, or losing writes; times given explicitly. */
class HealthTest {
    static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1);
    /** An arbitrary System.nanoTime() origin. */
    static final long T0 = 5_000_000_000L;

    static long at(long seconds) {
        return T0 + TimeUnit.SECONDS.toNanos(seconds);
    }

    static CaptureEvent opened(long id) {
        return new ConnectionOpened(id, 0, Mode.REVERSE, A, A, A, null, true);
    }

    abstract static class TestSink implements Sink {
        private final String name;

        TestSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean acceptsData() {
            return false;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSinkThatThrowsIsUnhealthyForAMinuteAfterItsLastFailure() {
        Sink failing = new TestSink("pcap") {
            @Override
            public void accept(CaptureEvent event) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        Sink fine = new TestSink("console") {
            @Override
            public void accept(CaptureEvent event) {
            }
        };
        try (CaptureBus bus = new CaptureBus(List.of(fine, failing))) {
            Health health = new Health(bus.sinkStats(), Duration.ofSeconds(60), Duration.ofSeconds(30));
            assertThat(health.status(at(0))).isEqualTo(new Health.Status(true, List.of()));

            bus.publish(opened(1));
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            Health.Status failingNow = health.status(at(1));
            assertThat(failingNow.healthy()).isFalse();
            assertThat(failingNow.problems()).containsExactly("capture sink 'pcap' is failing: 1 failures, the last within 60s");

            health.sample(at(30));
            assertThat(health.status(at(60)).healthy()).isFalse();
            assertThat(health.status(at(62)).healthy()).isTrue();

            bus.publish(opened(2));
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(health.status(at(63)).problems()).containsExactly(
                    "capture sink 'pcap' is failing: 2 failures, the last within 60s");
        }
    }

    @Test
    void writesASinkCountsAsLostMakeItUnhealthy() {
        AtomicLong lost = new AtomicLong();
        Sink losing = new TestSink("pcap") {
            @Override
            public void accept(CaptureEvent event) {
            }

            @Override
            public long writeFailures() {
                return lost.get();
            }
        };
        try (CaptureBus bus = new CaptureBus(List.of(losing))) {
            SinkStats stats = bus.sinkStats().get(0);
            Health health = new Health(bus.sinkStats(), Duration.ofSeconds(60), Duration.ofSeconds(30));
            assertThat(health.status(at(0)).healthy()).isTrue();
            lost.set(5);
            assertThat(stats.failures()).isEqualTo(5);
            assertThat(health.status(at(1)).problems()).containsExactly(
                    "capture sink 'pcap' is failing: 5 failures, the last within 60s");
            assertThat(health.status(at(70)).healthy()).isTrue();
        }
    }

    @Test
    void aSinkThatHandlesNothingWhileEventsWaitIsStuck() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Sink slow = new TestSink("har") {
            @Override
            public void accept(CaptureEvent event) throws IOException {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (CaptureBus bus = new CaptureBus(List.of(slow))) {
            SinkStats stats = bus.sinkStats().get(0);
            Health health = new Health(bus.sinkStats(), Duration.ofSeconds(60), Duration.ofSeconds(30));
            bus.publish(opened(1));
            bus.publish(opened(2));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(stats.queuedEvents()).isEqualTo(2);
            assertThat(stats.handled()).isZero();

            health.sample(at(0));
            assertThat(health.status(at(10)).healthy()).isTrue();
            assertThat(health.status(at(39)).healthy()).as("29 s without progress").isTrue();
            Health.Status stuck = health.status(at(41));
            assertThat(stuck.healthy()).isFalse();
            assertThat(stuck.problems()).containsExactly("capture sink 'har' is stuck: 2 events queued, none handled for 31s");

            release.countDown();
            assertThat(bus.drain(10, TimeUnit.SECONDS)).isTrue();
            assertThat(stats.queuedEvents()).isZero();
            assertThat(stats.handled()).isEqualTo(2);
            assertThat(health.status(at(42)).healthy()).isTrue();
        } finally {
            release.countDown();
        }
    }
}
