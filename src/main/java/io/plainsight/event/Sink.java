package io.plainsight.event;

import java.io.IOException;

/**
 * A consumer of capture events. The bus calls every method of one sink from that sink's own
 * thread, never from an I/O thread, so a sink needs no locking of its own.
 *
 * <p>A sink that cannot write (unwritable path, full disk) should say so once, count what it could
 * not write, and try again later; it never throws for that. An exception that escapes
 * {@link #accept} is logged by the bus and the event counted as dropped for this sink.
 */
public interface Sink extends AutoCloseable {
    /** Short name for logs and metrics, e.g. "pcap". */
    String name();

    /**
     * Handles one event. The bus releases a {@link DataChunk}'s buffer after this returns, so a sink
     * that keeps the bytes must copy or retain them.
     */
    void accept(CaptureEvent event) throws IOException;

    /**
     * False for sinks that only need connection events (open, TLS, close): the bus then never
     * queues data to them, which keeps the data path cheap.
     */
    default boolean acceptsData() {
        return true;
    }

    /**
     * True for sinks that write the raw wire ({@link WireChunk}: TLS records as sent). False by
     * default: sources then do not even tap the encrypted bytes.
     */
    default boolean acceptsWire() {
        return false;
    }

    /**
     * Writes this sink could not make and counted itself (a PCAP sink: packets lost to a full disk
     * or an unwritable path), for metrics and health checks. Called from any thread; 0 by default.
     */
    default long writeFailures() {
        return 0;
    }

    /**
     * True for sinks that write TLS secrets ({@link TlsSecrets}: a key log, a PCAPNG Decryption
     * Secrets Block). Sources ask the TLS library for the secrets only when some sink says so.
     * By default, sinks that write the raw wire want them (they are what decrypts it).
     */
    default boolean acceptsSecrets() {
        return acceptsWire();
    }

    /** Makes everything accepted so far visible to readers. Called at least once a second. */
    void flush() throws IOException;

    /** Flushes and releases resources. Called once, at shutdown. */
    @Override
    void close() throws IOException;
}
