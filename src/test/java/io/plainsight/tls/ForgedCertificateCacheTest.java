package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.TestPki;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgedCertificateCacheTest {
    @TempDir
    static Path home;
    static CertificateForger forger;

    @BeforeAll
    static void setUp() {
        forger = new CertificateForger(CertificateAuthority.loadOrCreate(home));
    }

    @Test
    void countsHitsAndForgesAndEvictsTheLeastRecentlyUsed() {
        ForgedCertificateCache cache = new ForgedCertificateCache(2);
        KeyMaterial a = cache.get("a", () -> forger.forgeFor("a"));
        assertThat(cache.get("a", () -> forger.forgeFor("a"))).isSameAs(a);
        KeyMaterial b = cache.get("b", () -> forger.forgeFor("b"));
        cache.get("a", () -> forger.forgeFor("a")); // a is now the most recently used
        cache.get("c", () -> forger.forgeFor("c")); // evicts b
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("a", () -> forger.forgeFor("a"))).isSameAs(a);
        assertThat(cache.get("b", () -> forger.forgeFor("b"))).isNotSameAs(b);
        assertThat(cache.forged()).isEqualTo(4);
        assertThat(cache.hits()).isEqualTo(3);
        assertThat(new ForgedCertificateCache().capacity()).isEqualTo(ForgedCertificateCache.capacityFor(Runtime.getRuntime().maxMemory()));
    }

    @Test
    void upstreamKeyDependsOnCertificateAndExtraName() throws Exception {
        TestPki pki = TestPki.shared();
        var c1 = pki.issue("x", "x").leaf();
        var c2 = pki.issue("x", "x").leaf();
        assertThat(ForgedCertificateCache.upstreamKey(c1, "a")).isEqualTo(ForgedCertificateCache.upstreamKey(c1, "A"))
                .isNotEqualTo(ForgedCertificateCache.upstreamKey(c1, "b"))
                .isNotEqualTo(ForgedCertificateCache.upstreamKey(c2, "a"));
    }

    @Test
    void threadSafeUnderConcurrentUse() throws Exception {
        ForgedCertificateCache cache = new ForgedCertificateCache(50);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wrong = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < 2000; i++) {
                    String host = "h" + (i % 80) + ".test";
                    KeyMaterial m = cache.get(host, () -> forger.forgeFor(host));
                    if (!m.leaf().getSubjectX500Principal().getName().equals("CN=" + host)) {
                        wrong.incrementAndGet();
                    }
                }
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong).hasValue(0);
        assertThat(cache.size()).isLessThanOrEqualTo(50);
        assertThat(cache.hits() + cache.forged()).isEqualTo(8000);
        assertThat(cache.hits()).isPositive();
    }

    @org.junit.jupiter.api.Test
    void theDefaultCapacityIsBoundedByAQuarterOfTheHeap() {
        org.assertj.core.api.Assertions.assertThat(ForgedCertificateCache.capacityFor(64L << 20)).isEqualTo(2048);
        org.assertj.core.api.Assertions.assertThat(ForgedCertificateCache.capacityFor(8L << 30)).isEqualTo(ForgedCertificateCache.DEFAULT_CAPACITY);
        org.assertj.core.api.Assertions.assertThat(ForgedCertificateCache.capacityFor(1L << 20)).isEqualTo(256);
    }
}
