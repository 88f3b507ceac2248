package io.plainsight.sink.pcap;

/** Run in its own JVM by {@link StdoutTest}: writes one HTTP exchange as pcap to standard output. */
public final class StdoutProbe {
    private StdoutProbe() {}

    public static void main(String[] args) {
        try (PcapFileSink sink = new PcapFileSink("-", PcapOptions.defaults())) {
            PcapFailureTest.exchange(sink, 1, 1_700_000_000_000_000L, 50_000);
        }
    }
}
