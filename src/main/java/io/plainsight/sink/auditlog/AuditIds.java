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
        byte[] b = new byte[20];
        putInt(b, 0, (int) Math.floorDiv(startMicros, 1_000_000L));
        putInt(b, 4, (int) Math.floorMod(startMicros, 1_000_000L));
        putInt(b, 8, (int) (run >>> 32));
        putInt(b, 12, (int) run);
        putInt(b, 16, counter++);
        StringBuilder s = new StringBuilder(27);
        int acc = 0;
        int nbits = 0;
        for (byte x : b) {
            acc = (acc << 8) | (x & 0xff);
            nbits += 8;
            while (nbits >= 6) {
                nbits -= 6;
                s.append(ALPHABET[(acc >>> nbits) & 0x3f]);
            }
        }
        if (nbits > 0) {
            s.append(ALPHABET[(acc << (6 - nbits)) & 0x3f]);
        }
        return s.toString();
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

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
