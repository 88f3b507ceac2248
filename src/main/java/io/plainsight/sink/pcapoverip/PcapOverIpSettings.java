package io.plainsight.sink.pcapoverip;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What the PCAP-over-IP output does.
 *
 * @param listen where readers connect ({@code --pcap-over-ip}), or null for no listener
 * @param connect listeners to push the stream to ({@code --pcap-over-ip-connect}), unresolved
 *     (resolved at every attempt)
 * @param lossless wait for the slowest reader rather than drop it ({@code --pcap-over-ip-lossless})
 * @param bufferBytes what may be queued for one reader before it is dropped (or waited for)
 * @param firstRetry the first wait before connecting again to a push target; it doubles after each
 *     failed attempt
 * @param maxRetry the longest wait between two attempts
 */
public record PcapOverIpSettings(InetSocketAddress listen, List<InetSocketAddress> connect, boolean lossless,
        long bufferBytes, Duration firstRetry, Duration maxRetry) {
    /** How far a reader may fall behind before it is dropped: 8 MiB (about 70 ms of a saturated gigabit link). */
    public static final long DEFAULT_BUFFER_BYTES = 8L << 20;
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_RETRY = Duration.ofSeconds(30);

    public PcapOverIpSettings {
        connect = List.copyOf(connect);
        if (listen == null && connect.isEmpty()) {
            throw new IllegalArgumentException("PCAP-over-IP needs a listen address or a target to connect to");
        }
        if (bufferBytes < RecordBlocks.BUFFER_BYTES) {
            throw new IllegalArgumentException("PCAP-over-IP reader buffer of " + bufferBytes + " bytes: expected at least "
                    + RecordBlocks.BUFFER_BYTES);
        }
        if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("PCAP-over-IP retry " + firstRetry + " up to " + maxRetry
                    + ": expected a positive first wait no longer than the longest");
        }
    }

    /** Listen on {@code listen} (or not, when null) and push to {@code connect}, default buffer and back-off. */
    public static PcapOverIpSettings of(InetSocketAddress listen, List<InetSocketAddress> connect, boolean lossless) {
        return new PcapOverIpSettings(listen, connect, lossless, DEFAULT_BUFFER_BYTES, DEFAULT_FIRST_RETRY, DEFAULT_MAX_RETRY);
    }

    public PcapOverIpSettings withBufferBytes(long bytes) {
        return new PcapOverIpSettings(listen, connect, lossless, bytes, firstRetry, maxRetry);
    }

    public PcapOverIpSettings withRetry(Duration first, Duration max) {
        return new PcapOverIpSettings(listen, connect, lossless, bufferBytes, first, max);
    }
}
