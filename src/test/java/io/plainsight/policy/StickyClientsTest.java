package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Sticky windows: sliding expiry on each trigger, per client, bounded. Times are given (no clock). */
class StickyClientsTest {
    static final long S = 1_000_000L;
    static final InetAddress A = ip("127.0.0.2");
    static final InetAddress B = ip("127.0.0.3");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void windowOpensOnTriggerAndEndsAfterTheDuration() {
        StickyClients sticky = new StickyClients();
        long t0 = 1_000 * S;
        assertThat(sticky.until(A, t0)).isZero();
        assertThat(sticky.trigger(A, t0, 600 * S)).isEqualTo(t0 + 600 * S);
        assertThat(sticky.until(A, t0 + S)).isEqualTo(t0 + 600 * S);
        assertThat(sticky.until(B, t0 + S)).isZero();
        assertThat(sticky.until(A, t0 + 600 * S - 1)).isEqualTo(t0 + 600 * S);
        assertThat(sticky.until(A, t0 + 600 * S)).isZero();
        assertThat(sticky.size()).isZero();
    }

    @Test
    void eachTriggerSlidesTheWindowAndNeverShortensIt() {
        StickyClients sticky = new StickyClients();
        long t0 = 1_000 * S;
        sticky.trigger(A, t0, 10 * S);
        sticky.trigger(A, t0 + 8 * S, 10 * S);
        assertThat(sticky.until(A, t0 + 15 * S)).isEqualTo(t0 + 18 * S);
        sticky.trigger(A, t0 + 9 * S, 2 * S); // a shorter rule does not cut it
        assertThat(sticky.until(A, t0 + 15 * S)).isEqualTo(t0 + 18 * S);
    }

    @Test
    void theLeastRecentlyTriggeredClientIsDroppedWhenFull() {
        StickyClients sticky = new StickyClients(2);
        long t0 = 1_000 * S;
        InetAddress c = ip("127.0.0.4");
        sticky.trigger(A, t0, 60 * S);
        sticky.trigger(B, t0 + 1, 60 * S);
        sticky.trigger(A, t0 + 2, 60 * S); // A is now the most recent
        sticky.trigger(c, t0 + 3, 60 * S);
        assertThat(sticky.size()).isEqualTo(2);
        assertThat(sticky.evicted()).isEqualTo(1);
        assertThat(sticky.until(B, t0 + 4)).isZero();
        assertThat(sticky.until(A, t0 + 4)).isPositive();
        assertThat(sticky.until(c, t0 + 4)).isPositive();
    }

    @Test
    void endedWindowsArePurgedBeforeAnyoneIsEvicted() {
        StickyClients sticky = new StickyClients(2);
        sticky.trigger(A, 0, S);
        sticky.trigger(B, 10 * S, 60 * S);
        sticky.trigger(ip("127.0.0.4"), 11 * S, 60 * S);
        assertThat(sticky.evicted()).isZero();
        assertThat(sticky.until(B, 12 * S)).isPositive();
    }
}
