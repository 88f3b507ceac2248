package io.plainsight.event;

import java.time.Instant;

/** Wall-clock timestamps in microseconds, as every event carries them. */
public final class Clock {
    private Clock() {}

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
