package io.plainsight.event;

/**
 * What every source (live or offline) tells every sink. Events of one connection are published in
 * order from one thread; sinks see them in that order.
 */
public sealed interface CaptureEvent permits ConnectionOpened, TlsEstablished, TlsSecrets, DataChunk, WireChunk, CapturedPacket,
        ConnectionClosed {
    /** Process-unique id of the conversation. */
    long connectionId();

    /** Wall-clock time of the event, microseconds since the epoch. */
    long timestampMicros();
}
