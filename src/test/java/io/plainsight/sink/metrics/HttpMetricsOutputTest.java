package io.plainsight.sink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Mode;
import io.plainsight.http.Exchange;
import io.plainsight.http.HttpMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Exchanges in runs of the same labels and changing ones (host, method, status class, with and
 * without a response): every exchange counts on the meters of its own labels, whatever came before.
 */
class HttpMetricsOutputTest {
    static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 443);

    @Test
    void everyExchangeCountsUnderItsOwnLabels() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpMetricsOutput out = new HttpMetricsOutput(registry, 2);
        ConnectionMeta meta = new ConnectionMeta(new ConnectionOpened(1, 0, Mode.REVERSE, A, A, A, "sni.example", true));
        String[] hosts = {"a.example", "A.example:443", "b.example", "c.example", null};
        String[] methods = {"GET", "POST", "BREW"};
        int[] statuses = {200, 204, 404, 503, 0};
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Integer> timed = new HashMap<>();
        java.util.Set<String> admitted = new java.util.HashSet<>();
        Random random = new Random(3);
        int h = 0;
        int m = 0;
        int s = 0;
        for (int i = 0; i < 3000; i++) {
            if (random.nextInt(10) == 0) { // runs of the same labels, then a change of one of them
                switch (random.nextInt(3)) {
                    case 0 -> h = random.nextInt(hosts.length);
                    case 1 -> m = random.nextInt(methods.length);
                    default -> s = random.nextInt(statuses.length);
                }
            }
            HttpMessage request = new HttpMessage(HttpMessage.Kind.REQUEST, 0);
            request.method = methods[m];
            request.authority = hosts[h];
            request.startMicros = 1_000 + i;
            request.endMicros = 1_001 + i;
            Exchange exchange = new Exchange(1, 0, request);
            if (statuses[s] != 0) {
                HttpMessage response = new HttpMessage(HttpMessage.Kind.RESPONSE, 0);
                response.status = statuses[s];
                response.startMicros = 2_000 + i;
                response.endMicros = 3_000 + i;
                response.complete = true;
                exchange.response = response;
            }
            out.exchange(meta, exchange);
            // the first two hosts seen get labels of their own (the SNI stands in for no Host), then "other"
            String name = switch (h) {
                case 0, 1 -> "a.example";
                case 2 -> "b.example";
                case 3 -> "c.example";
                default -> "sni.example";
            };
            if (!admitted.contains(name) && admitted.size() < 2) {
                admitted.add(name);
            }
            String host = admitted.contains(name) ? name : "other";
            String method = m == 2 ? "OTHER" : methods[m];
            String status = statuses[s] == 0 ? "none" : statuses[s] / 100 + "xx";
            counts.merge(host + "|" + method + "|" + status, 1, Integer::sum);
            if (statuses[s] != 0) {
                timed.merge(host, 1, Integer::sum);
            }
        }
        int total = 0;
        for (var e : counts.entrySet()) {
            String[] l = e.getKey().split("\\|");
            double counted = registry.get("plainsight.http.exchanges").tags("host", l[0], "method", l[1], "status_class", l[2])
                    .counter().count();
            assertThat(counted).as(e.getKey()).isEqualTo(e.getValue().doubleValue());
            total += e.getValue();
        }
        assertThat(total).isEqualTo(3000);
        assertThat(registry.find("plainsight.http.exchanges").counters()).hasSize(counts.size());
        for (var e : timed.entrySet()) {
            assertThat(registry.get("plainsight.http.request.duration").tag("host", e.getKey()).timer().count())
                    .as(e.getKey()).isEqualTo(e.getValue().longValue());
            assertThat(registry.get("plainsight.http.upstream.duration").tag("host", e.getKey()).timer().count())
                    .as(e.getKey()).isEqualTo(e.getValue().longValue());
        }
    }
}
