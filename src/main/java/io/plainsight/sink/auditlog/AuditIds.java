package io.plainsight.sink.auditlog;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Unique transaction ids and entry boundaries.
 *
 * <p>A unique id is 27 characters from Apache mod_unique_id's alphabet ({@code A-Z a-z 0-9 @ -},
 * safe in file names and in every field of the serial format), the shape of the ids Apache 2.4
 * gives ModSecurity 2.9. It encodes 20 bytes: the request's start (seconds and microseconds,
 * 4 bytes each), 8 random bytes drawn once per run, and a 4-byte counter, so ids are unique within
 * a run and, with overwhelming probability, across runs. A boundary is 8 lower-case hex digits,
 * random per entry, as ModSecurity's {@code create_auditlog_boundary}. Not thread-safe.
 */
final class AuditIds {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final RandomGenerator random;
    private final long run;
    private int counter;

    /** Ids and boundaries drawn from {@code random} (seed one for reproducible output). */
    AuditIds(RandomGenerator random) {
        this.random = random;
        this.run = random.nextLong();
    }

    /** Ids and boundaries from a fast generator seeded from a {@link SecureRandom}. */
    AuditIds() {
        this(new SplittableRandom(new SecureRandom().nextLong()));
    }

    /** A new unique id for a transaction that started at {@code startMicros}. */
    String uniqueId(long startMicros) {
        long seconds = Math.floorDiv(startMicros, 1_000_000L);
        long micros = Math.floorMod(startMicros, 1_000_000L);
        // the 20 bytes, big-endian: seconds and microseconds (4 bytes each), run (8), counter (4),
        // as 160 bits in three words (the last one's low 32 bits zero: the padding of the 27th char)
        long w0 = (seconds & 0xffffffffL) << 32 | micros;
        long w1 = run;
        long w2 = (long) counter++ << 32;
        char[] s = new char[27];
        for (int k = 0; k < 27; k++) {
            int bit = 6 * k;
            int shift = bit & 63;
            long word = bit < 64 ? w0 : bit < 128 ? w1 : w2;
            long next = bit < 64 ? w1 : w2; // (bit < 128 then; never read after w2)
            long v = shift <= 58 ? word >>> (58 - shift) : word << (shift - 58) | next >>> (122 - shift);
            s[k] = ALPHABET[(int) v & 0x3f];
        }
        return new String(s);
    }

    /** A new entry boundary: 8 lower-case hex digits. */
    String boundary() {
        int r = random.nextInt();
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--) {
            c[i] = HEX[r & 0xf];
            r >>>= 4;
        }
        return new String(c);
    }
}
