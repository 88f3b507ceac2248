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
        // the 20 bytes, big-endian: seconds and microseconds (4 bytes each), run (8), counter (4)
        long first = (seconds & 0xffffffffL) << 32 | micros;
        long second = run;
        int third = counter++;
        char[] s = new char[27];
        int n = 0;
        int acc = 0;
        int nbits = 0;
        for (int i = 0; i < 20; i++) {
            int x = i < 8 ? (int) (first >>> (56 - 8 * i)) : i < 16 ? (int) (second >>> (56 - 8 * (i - 8)))
                    : third >>> (24 - 8 * (i - 16));
            acc = (acc << 8) | (x & 0xff);
            nbits += 8;
            while (nbits >= 6) {
                nbits -= 6;
                s[n++] = ALPHABET[(acc >>> nbits) & 0x3f];
            }
        }
        s[n] = ALPHABET[(acc << (6 - nbits)) & 0x3f]; // 160 bits: 4 left over
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
