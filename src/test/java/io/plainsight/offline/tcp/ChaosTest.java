package io.plainsight.offline.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Nonsense segments (any flags, sequence and acknowledgment numbers near a few bases or anywhere,
 * small limits): nothing throws, and the listener contract holds (the recorder checks that every
 * connection opens once and closes once, and that each direction's events tile its stream).
 */
class ChaosTest {
    @Test
    void randomSegmentsNeverBreakTheContract() {
        InetAddress[] hosts = {Wire.address("10.0.0.1"), Wire.address("10.0.0.2"), Wire.address("2001:db8::1")};
        int[] ports = {80, 443, 50000};
        java.util.Map<String, Long> seen = new java.util.TreeMap<>();
        for (int round = 0; round < 80; round++) {
            Random rnd = new Random(round);
            Recorder rec = new Recorder();
            rec.showBytes = false;
            ReassemblyOptions options = new ReassemblyOptions(rnd.nextInt(3) == 0 ? rnd.nextInt(300) : 1 << 20,
                    rnd.nextInt(3) * 5_000L, rnd.nextBoolean());
            TcpReassembler r = new TcpReassembler(rec, options);
            long[] bases = {rnd.nextInt() & 0xFFFF_FFFFL, 0xFFFF_FFF0L, 0};
            long delivered = 0;
            for (int i = 0; i < 2000; i++) {
                long seq = rnd.nextInt(4) == 0 ? rnd.nextInt() & 0xFFFF_FFFFL : bases[rnd.nextInt(3)] + rnd.nextInt(400);
                long ack = rnd.nextInt(4) == 0 ? rnd.nextInt() & 0xFFFF_FFFFL : bases[rnd.nextInt(3)] + rnd.nextInt(400);
                byte[] payload = new byte[rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(60)];
                rnd.nextBytes(payload);
                int flags = rnd.nextInt(32);
                if (rnd.nextInt(3) > 0) {
                    flags &= ~(TcpFlags.SYN | TcpFlags.RST); // mostly ordinary segments
                }
                InetAddress src = hosts[rnd.nextInt(3)];
                int srcPort = ports[rnd.nextInt(3)];
                InetAddress dst = hosts[rnd.nextInt(3)];
                int dstPort = ports[rnd.nextInt(3)];
                try {
                    r.segment(i, i * 1000L / (1 + rnd.nextInt(3)), src, srcPort, dst, dstPort, seq & 0xFFFF_FFFFL,
                            ack & 0xFFFF_FFFFL, flags, Unpooled.wrappedBuffer(payload));
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("round " + round + ", segment " + i + " " + src.getHostAddress() + ":" + srcPort
                            + " -> " + dst.getHostAddress() + ":" + dstPort + " flags " + flags + ", events before: "
                            + rec.events.subList(Math.max(0, rec.events.size() - 12), rec.events.size()), e);
                }
            }
            r.finish(10_000_000);
            for (String e : rec.events) {
                String[] f = e.split(" ");
                seen.merge(e.startsWith("closed ") ? "closed " + f[2] : f[0], 1L, Long::sum);
                if (e.startsWith("data ")) {
                    delivered += Long.parseLong(f[4]);
                }
            }
            seen.merge("held", r.counters().outOfOrderSegments(), Long::sum);
            assertThat(r.openConnections()).isZero();
            assertThat(rec.events.stream().filter(e -> e.startsWith("closed ")).count())
                    .isEqualTo(rec.connections.size()).isEqualTo(r.counters().connections());
            assertThat(delivered).isEqualTo(r.counters().deliveredBytes());
            assertThat(r.counters().deliveredBytes()).isLessThanOrEqualTo(r.counters().payloadBytes());
        }
        // the nonsense reached every part of the reassembler
        assertThat(seen).containsKeys("data", "gap", "held", "closed FIN", "closed RST", "closed REUSED", "closed EOF");
        assertThat(seen.values()).allMatch(n -> n > 100);
    }
}
