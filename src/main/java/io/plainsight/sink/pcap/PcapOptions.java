package io.plainsight.sink.pcap;

import java.time.Duration;

/**
 * Options shared by the pcap sinks.
 *
 * @param pcapPort the server port to write into the capture ({@code --pcap-port}), or 0 to map it
 *     automatically: 80 for HTTP carried in TLS, else the real server port
 * @param mss largest data segment, 1..{@value TcpConversation#MAX_MSS} (default 1460)
 * @param isnSeed seed of the initial sequence numbers (with the connection id), for reproducible
 *     output
 * @param bufferBytes size of the in-memory write buffer (at least 128 KiB, so the largest record fits; default 1 MiB)
 * @param retryInterval how long a failing sink waits before it tries to write again (default 1s)
 */
public record PcapOptions(int pcapPort, int mss, long isnSeed, int bufferBytes, Duration retryInterval) {
    public static final int DEFAULT_MSS = 1460;
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;
    public static final int MIN_BUFFER_BYTES = 128 << 10;

    public PcapOptions {
        if (pcapPort < 0 || pcapPort > 65_535) {
            throw new IllegalArgumentException("--pcap-port " + pcapPort + ": expected a port 1..65535");
        }
        if (mss < 1 || mss > TcpConversation.MAX_MSS) {
            throw new IllegalArgumentException("MSS " + mss + ": expected 1.." + TcpConversation.MAX_MSS);
        }
        if (bufferBytes < MIN_BUFFER_BYTES) {
            throw new IllegalArgumentException("pcap buffer of " + bufferBytes + " bytes: expected at least " + MIN_BUFFER_BYTES);
        }
        if (retryInterval == null || retryInterval.isNegative()) {
            throw new IllegalArgumentException("pcap retry interval " + retryInterval + ": expected zero or more");
        }
    }

    /** Automatic port mapping, MSS 1460, seed 0, 1 MiB buffer, retry every second. */
    public static PcapOptions defaults() {
        return new PcapOptions(0, DEFAULT_MSS, 0L, DEFAULT_BUFFER_BYTES, Duration.ofSeconds(1));
    }

    public PcapOptions withPcapPort(int port) {
        return new PcapOptions(port, mss, isnSeed, bufferBytes, retryInterval);
    }

    public PcapOptions withMss(int value) {
        return new PcapOptions(pcapPort, value, isnSeed, bufferBytes, retryInterval);
    }

    public PcapOptions withIsnSeed(long seed) {
        return new PcapOptions(pcapPort, mss, seed, bufferBytes, retryInterval);
    }

    public PcapOptions withBufferBytes(int bytes) {
        return new PcapOptions(pcapPort, mss, isnSeed, bytes, retryInterval);
    }

    public PcapOptions withRetryInterval(Duration interval) {
        return new PcapOptions(pcapPort, mss, isnSeed, bufferBytes, interval);
    }
}
