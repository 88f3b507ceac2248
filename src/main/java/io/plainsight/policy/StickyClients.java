package io.plainsight.policy;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clients under a sticky full capture ({@code sticky: client 600s}): client address to the end of
 * its window. The window slides: each new trigger sets it to trigger time + duration (never
 * shortening it). Times are passed in (the exchange's own timestamps), so the same rules give the
 * same result live and on a capture read back later, and tests need no clock. At most
 * {@code maxClients} entries: past that the least recently triggered client is dropped first.
 * Thread-safe.
 */
public final class StickyClients {
    /** Default bound on tracked clients. */
    public static final int DEFAULT_MAX = 100_000;

    private final int maxClients;
    private final LinkedHashMap<InetAddress, Long> untilMicros = new LinkedHashMap<>();
    private long evicted;

    public StickyClients() {
        this(DEFAULT_MAX);
    }

    public StickyClients(int maxClients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1");
        }
        this.maxClients = maxClients;
    }

    /**
     * A rule triggered for {@code client} at {@code nowMicros}: its window now ends no earlier than
     * {@code nowMicros + durationMicros}.
     *
     * @return the end of the client's window
     */
    public synchronized long trigger(InetAddress client, long nowMicros, long durationMicros) {
        Long old = untilMicros.remove(client); // re-inserted last: the most recently triggered
        long until = Math.max(old == null ? 0 : old, nowMicros + durationMicros);
        untilMicros.put(client, until);
        if (untilMicros.size() > maxClients) {
            purge(nowMicros);
            Iterator<Map.Entry<InetAddress, Long>> it = untilMicros.entrySet().iterator();
            while (untilMicros.size() > maxClients && it.hasNext()) {
                it.next();
                it.remove();
                evicted++;
            }
        }
        return until;
    }

    /** The end of {@code client}'s window when it is still open at {@code nowMicros}; else 0. */
    public synchronized long until(InetAddress client, long nowMicros) {
        Long until = untilMicros.get(client);
        if (until == null) {
            return 0;
        }
        if (until <= nowMicros) {
            untilMicros.remove(client);
            return 0;
        }
        return until;
    }

    /** Drops the windows that ended before {@code nowMicros}. */
    public synchronized void purge(long nowMicros) {
        untilMicros.values().removeIf(until -> until <= nowMicros);
    }

    /** Clients tracked (some windows may have ended and not been purged yet). */
    public synchronized int size() {
        return untilMicros.size();
    }

    /** Clients dropped because the table was full. */
    public synchronized long evicted() {
        return evicted;
    }
}
