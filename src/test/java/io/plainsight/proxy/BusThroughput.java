package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.WireChunk;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prints what the capture taps and the bus cost the publishing threads (the proxy's I/O threads)
 * per request of the reverse benchmark's shape with every output of {@code VARIANT=outputs} on:
 * two decrypted chunks to three data sinks (PCAP-over-IP follows the PCAP sink), four chunks of wire bytes to one of them, through
 * {@link CaptureCopies}' slabs, from two publisher threads at once; the sinks read a byte of each
 * payload. A measurement, not a test: run it by hand with the test classpath, e.g. {@code java
 * -Xmx64m -XX:+UseParallelGC -cp target/test-classes:target/plainsight.jar
 * io.plainsight.proxy.BusThroughput [rounds] [requests per round and thread]}.
 */
public final class BusThroughput {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1);

    private BusThroughput() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        int moreDataSinks = Integer.getInteger("moreDataSinks", 1); // the HTTP metrics' decoding
        ByteBuf request = Unpooled.directBuffer(300).writeZero(300);
        ByteBuf response = Unpooled.directBuffer(1300).writeZero(1300);
        ByteBuf requestWire = Unpooled.directBuffer(330).writeZero(330);
        ByteBuf responseWire = Unpooled.directBuffer(1330).writeZero(1330);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            List<Sink> sinks = new ArrayList<>(List.of(new Reading("pcap-dir", false), new Reading("pcapng", true),
                    new Meta("keylog"), new Meta("connections")));
            for (int i = 0; i < moreDataSinks; i++) {
                sinks.add(new Reading("data-" + i, false)); // -DmoreDataSinks=N: what each data sink more costs
            }
            long[] cpu = new long[2];
            long wall0 = System.nanoTime();
            long process0 = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            try (CaptureBus bus = new CaptureBus(sinks)) {
                List<Thread> publishers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int id = t;
                    Thread thread = new FastThreadLocalThread(() -> {
                        long c0 = mx.getCurrentThreadCpuTime();
                        for (int i = 0; i < requests; i++) {
                            long conn = id * 1_000_000_000L + i / 1000;
                            if (i % 1000 == 0) {
                                bus.publish(new ConnectionOpened(conn, i, Mode.REVERSE, A, A, A, null, true));
                            }
                            wire(bus, conn, Leg.CLIENT, Direction.CLIENT_TO_SERVER, requestWire);
                            data(bus, conn, Direction.CLIENT_TO_SERVER, request);
                            wire(bus, conn, Leg.UPSTREAM, Direction.CLIENT_TO_SERVER, requestWire);
                            wire(bus, conn, Leg.UPSTREAM, Direction.SERVER_TO_CLIENT, responseWire);
                            data(bus, conn, Direction.SERVER_TO_CLIENT, response);
                            wire(bus, conn, Leg.CLIENT, Direction.SERVER_TO_CLIENT, responseWire);
                            if (i % 1000 == 999) {
                                bus.publish(new ConnectionClosed(conn, i, CloseKind.FIN, null, null, 0, 0));
                            }
                        }
                        cpu[id] = mx.getCurrentThreadCpuTime() - c0;
                    }, "io-" + t);
                    thread.start();
                    publishers.add(thread);
                }
                for (Thread t : publishers) {
                    t.join();
                }
                bus.drain(30, TimeUnit.SECONDS);
            }
            long wall = System.nanoTime() - wall0;
            long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() - process0;
            double n = 2.0 * requests;
            System.out.printf("round %d: publishers %.0f ns/request, process %.0f ns/request, wall %.0f ns/request%n",
                    round + 1, (cpu[0] + cpu[1]) / n, process / n, wall / n);
        }
    }

    private static void wire(CaptureBus bus, long conn, Leg leg, Direction direction, ByteBuf bytes) {
        bus.publish(new WireChunk(conn, System.nanoTime(), leg, direction, CaptureCopies.of(bytes)));
    }

    private static void data(CaptureBus bus, long conn, Direction direction, ByteBuf bytes) {
        bus.publish(new DataChunk(conn, System.nanoTime(), direction, CaptureCopies.of(bytes)));
    }

    /** A sink that reads one byte of every payload. */
    private static final class Reading implements Sink {
        private final String name;
        private final boolean wire;
        long sum;

        Reading(String name, boolean wire) {
            this.name = name;
            this.wire = wire;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean acceptsWire() {
            return wire;
        }

        @Override
        public void accept(CaptureEvent event) {
            if (event instanceof DataChunk d) {
                sum += d.data().getByte(d.data().readerIndex());
            } else if (event instanceof WireChunk w) {
                sum += w.data().getByte(w.data().readerIndex());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** A sink of connection events only (the key log, the connection log). */
    private static final class Meta implements Sink {
        private final String name;

        Meta(String name) {
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
        public void accept(CaptureEvent event) {}

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
