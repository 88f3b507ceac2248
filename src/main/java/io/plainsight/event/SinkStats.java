package io.plainsight.event;

/**
 * A live, read-only view of one sink's lane on the {@link CaptureBus}: for metrics and health
 * checks. Every value is read when asked (counters only grow; queue depths go up and down).
 */
public interface SinkStats {
    /** The sink's {@link Sink#name()}. */
    String name();

    /** Events published to this sink and not handled yet. */
    long queuedEvents();

    /** Bytes those queued events weigh (data bytes plus a fixed 64 per event): what the budget counts. */
    long queuedBytes();

    /** Events this sink has handled (accepted, or failed on). */
    long handled();

    /** Events dropped for this sink: its queue was full under {@link OverflowPolicy#DROP}, or it threw on them. */
    long dropped();

    /**
     * Nanoseconds publishing threads (the traffic's I/O threads) spent waiting for room in this
     * sink's queue under {@link OverflowPolicy#BLOCK}: how much this sink slowed the traffic.
     */
    long blockedNanos();

    /**
     * Failures of this sink: exceptions that escaped its {@code accept} or {@code flush}, plus the
     * writes it counted as lost itself ({@link Sink#writeFailures()}).
     */
    long failures();
}
