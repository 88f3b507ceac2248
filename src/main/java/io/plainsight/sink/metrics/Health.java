package io.plainsight.sink.metrics;

import io.plainsight.event.SinkStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /healthz} answers. Unhealthy while a capture sink
 * <ul>
 *   <li>is failing: its failure count ({@link SinkStats#failures()}: exceptions, or writes it lost
 *       to an unwritable path or a full disk) grew within the last {@code failingWindow} (60 s);
 *       healthy again once it has gone that long without a new failure, or
 *   <li>is stuck: events wait in its queue and it has handled none for {@code stuckAfter} (30 s);
 *       under {@code --overflow block} that stalls the traffic.
 * </ul>
 * {@link #sample(long)} must be called regularly (the endpoint does it every second) so that
 * changes are dated; calls are serialized by the caller or by this class.
 */
public final class Health {
    /** The answer: healthy, or the problems, one line each. */
    public record Status(boolean healthy, List<String> problems) {}

    private final List<SinkStats> sinks;
    private final long failingWindowNanos;
    private final long stuckAfterNanos;
    private final long[] lastFailures;
    private final long[] failedAt;
    private final long[] lastHandled;
    private final long[] stuckSince;

    public Health(List<SinkStats> sinks) {
        this(sinks, Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    public Health(List<SinkStats> sinks, Duration failingWindow, Duration stuckAfter) {
        this.sinks = List.copyOf(sinks);
        this.failingWindowNanos = failingWindow.toNanos();
        this.stuckAfterNanos = stuckAfter.toNanos();
        int n = this.sinks.size();
        lastFailures = new long[n];
        failedAt = new long[n];
        lastHandled = new long[n];
        stuckSince = new long[n];
        // failures from before the first sample count as new then; a queue is not stuck at the first sample
        java.util.Arrays.fill(lastHandled, -1);
    }

    /** Looks at every sink's counters now ({@code nowNanos}: System.nanoTime()). */
    public synchronized void sample(long nowNanos) {
        for (int i = 0; i < sinks.size(); i++) {
            SinkStats s = sinks.get(i);
            long failures = s.failures();
            if (failures != lastFailures[i]) {
                lastFailures[i] = failures;
                failedAt[i] = nowNanos;
            }
            long handled = s.handled();
            if (s.queuedEvents() > 0 && handled == lastHandled[i]) {
                if (stuckSince[i] == 0) {
                    stuckSince[i] = nowNanos;
                }
            } else {
                stuckSince[i] = 0;
            }
            lastHandled[i] = handled;
        }
    }

    /** Samples, then answers. */
    public synchronized Status status(long nowNanos) {
        sample(nowNanos);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < sinks.size(); i++) {
            SinkStats s = sinks.get(i);
            if (lastFailures[i] > 0 && nowNanos - failedAt[i] < failingWindowNanos) {
                problems.add("capture sink '" + s.name() + "' is failing: " + lastFailures[i] + " failures, the last within "
                        + seconds(failingWindowNanos));
            }
            if (stuckSince[i] != 0 && nowNanos - stuckSince[i] >= stuckAfterNanos) {
                problems.add("capture sink '" + s.name() + "' is stuck: " + s.queuedEvents() + " events queued, none handled for "
                        + seconds(nowNanos - stuckSince[i]));
            }
        }
        return new Status(problems.isEmpty(), List.copyOf(problems));
    }

    private static String seconds(long nanos) {
        return Math.round(nanos / 1e9) + "s";
    }
}
