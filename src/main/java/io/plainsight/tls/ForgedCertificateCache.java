package io.plainsight.tls;

import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A bounded, thread-safe LRU cache of forged key material, keyed by a host name or by
 * {@link #upstreamKey(X509Certificate, String)}. Forging runs outside the lock; when two threads
 * miss on the same key at once both forge and the first result stored wins (both callers get it).
 */
public final class ForgedCertificateCache {
    /** Default capacity. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final int capacity;
    private final LinkedHashMap<String, KeyMaterial> map;
    private final LongAdder forged = new LongAdder();
    private final LongAdder hits = new LongAdder();

    /** Heap one entry takes (a forged leaf with its parsed certificate objects), measured: about 4.6 KiB. */
    static final long ENTRY_HEAP_BYTES = 8 * 1024;

    /**
     * A cache sized for this JVM: at most {@link #DEFAULT_CAPACITY} entries and at most a quarter
     * of the maximum heap (with the launcher's 64 MiB heap: 2048 entries), so a proxy that meets
     * many hosts evicts old certificates instead of filling its heap and thrashing in full GCs.
     */
    public ForgedCertificateCache() {
        this(capacityFor(Runtime.getRuntime().maxMemory()));
    }

    /** The default capacity for a maximum heap of {@code maxHeapBytes}. */
    static int capacityFor(long maxHeapBytes) {
        return (int) Math.max(256, Math.min(DEFAULT_CAPACITY, maxHeapBytes / 4 / ENTRY_HEAP_BYTES));
    }

    /** A cache holding at most {@code capacity} entries, evicting the least recently used. */
    public ForgedCertificateCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024) * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, KeyMaterial> eldest) {
                return size() > ForgedCertificateCache.this.capacity;
            }
        };
    }

    /** The cached material for {@code key}, forging it with {@code forge} on a miss. */
    public KeyMaterial get(String key, Supplier<KeyMaterial> forge) {
        KeyMaterial m;
        synchronized (map) {
            m = map.get(key);
        }
        if (m != null) {
            hits.increment();
            return m;
        }
        KeyMaterial fresh = forge.get();
        forged.increment();
        synchronized (map) {
            m = map.putIfAbsent(key, fresh);
        }
        return m != null ? m : fresh;
    }

    /**
     * A cache key for a certificate forged like {@code upstream} with {@code extraName}: the
     * SHA-256 of the upstream certificate plus the extra name.
     */
    public static String upstreamKey(X509Certificate upstream, String extraName) {
        return "like:" + HexFormat.of().formatHex(Fingerprints.digest("SHA-256", Fingerprints.der(upstream)))
                + "|" + (extraName == null ? "" : extraName.toLowerCase(java.util.Locale.ROOT));
    }

    /** How many times material was forged (cache misses). */
    public long forged() {
        return forged.sum();
    }

    /** How many lookups were answered from the cache. */
    public long hits() {
        return hits.sum();
    }

    /** Current number of entries. */
    public int size() {
        synchronized (map) {
            return map.size();
        }
    }

    /** Maximum number of entries. */
    public int capacity() {
        return capacity;
    }
}
