package io.plainsight.sink.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Mode;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.policy.CaptureRules;
import io.plainsight.policy.LiveRules;
import io.plainsight.policy.RuleMatch;
import io.plainsight.policy.RuleVerdict;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The verdict the rules give each exchange, with the exchanges' own times as the clock. */
class ExchangeRulesTest {
    static final long T0 = 1_763_740_800_000_000L;
    static final long S = 1_000_000L;

    static ConnectionMeta connection(String client, long id) {
        return new ConnectionMeta(new ConnectionOpened(id, T0, Mode.REVERSE, new InetSocketAddress(client, 40000),
                new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 8443), null, true));
    }

    static Exchange exchange(String target, int status, long start, long durationMicros) {
        HttpMessage req = new HttpMessage(HttpMessage.Kind.REQUEST, 1024);
        req.method = "GET";
        req.target = target;
        req.version = "HTTP/1.1";
        req.headers.add(new Http1Header("Authorization", "Basic dXNlcjpwdw=="));
        req.startMicros = start;
        req.endMicros = start + 10;
        HttpMessage resp = new HttpMessage(HttpMessage.Kind.RESPONSE, 1024);
        resp.status = status;
        resp.version = "HTTP/1.1";
        resp.startMicros = start + durationMicros / 2;
        resp.endMicros = start + durationMicros;
        Exchange x = new Exchange(1, 0, req);
        x.response = resp;
        return x;
    }

    static ExchangeRules rules(String text) throws Exception {
        return new ExchangeRules(LiveRules.of(CaptureRules.parse("t.rules", text)));
    }

    @Test
    void stickySlidesPerClientAndEnds() throws Exception {
        ExchangeRules rules = rules("""
                1001 "backend error" match http.response.code >= 500 => sticky client 2s; parts +EIJ
                """);
        ConnectionMeta a1 = connection("127.0.0.2", 1);
        ConnectionMeta a2 = connection("127.0.0.2", 2);
        ConnectionMeta b = connection("127.0.0.3", 3);

        Exchange ok = exchange("/", 200, T0, 1000);
        rules.apply(a1, ok);
        assertThat(ok.verdict).isSameAs(RuleVerdict.NONE);

        Exchange boom = exchange("/boom", 500, T0 + S, 1000);
        rules.apply(a1, boom);
        long until = T0 + S + 1000 + 2 * S;
        assertThat(boom.verdict.matches()).extracting(RuleMatch::id).containsExactly("1001");
        assertThat(boom.verdict.matches().get(0).msg()).isEqualTo("backend error");
        assertThat(boom.verdict.partChanges()).containsExactly("+EIJ");
        assertThat(boom.verdict.stickyUntilMicros()).isEqualTo(until);

        Exchange next = exchange("/", 200, T0 + 2 * S, 1000); // another connection of the same client
        rules.apply(a2, next);
        assertThat(next.verdict.matches()).isEmpty();
        assertThat(next.verdict.stickyUntilMicros()).isEqualTo(until);

        Exchange other = exchange("/", 200, T0 + 2 * S, 1000);
        rules.apply(b, other);
        assertThat(other.verdict.sticky()).isFalse();

        Exchange later = exchange("/", 200, until, 1000);
        rules.apply(a2, later);
        assertThat(later.verdict.sticky()).isFalse();
    }

    @Test
    void newFieldsMatch() throws Exception {
        ExchangeRules rules = rules("""
                slow match http.duration >= 1500 => audit on
                fast match http.duration < 1500 => audit off
                mine match client.ip == 127.0.0.2 && flow.bytes >= 100 => parts -E
                """);
        ConnectionMeta a = connection("127.0.0.2", 1);
        a.bytesSeen = 150;
        Exchange slow = exchange("/", 200, T0, 2_000_000);
        rules.apply(a, slow);
        assertThat(slow.verdict.matches()).extracting(RuleMatch::id).containsExactly("slow", "mine");
        assertThat(slow.verdict.audit()).isTrue();
        assertThat(slow.verdict.partChanges()).containsExactly("-E");
        Exchange fast = exchange("/", 200, T0, 1_000_000);
        rules.apply(connection("127.0.0.3", 2), fast);
        assertThat(fast.verdict.matches()).extracting(RuleMatch::id).containsExactly("fast");
        assertThat(fast.verdict.audit()).isFalse();
    }

    @Test
    void matchesSeeTheCapturedValuesAndOutputsTheRedactedOnes() throws Exception {
        ExchangeRules rules = rules("""
                r1 match http.request.uri contains "password=hunter2" => redact param password; redact header Authorization
                """);
        Exchange x = exchange("/login?password=hunter2", 200, T0, 1000);
        rules.apply(connection("127.0.0.2", 1), x);
        assertThat(x.request.target).isEqualTo("/login?password=*******");
        assertThat(x.request.header("Authorization")).isEqualTo("*".repeat("Basic dXNlcjpwdw==".length()));
        assertThat(x.verdict.sanitised()).containsExactly("Sanitised-Args: \"password\".",
                "Sanitised-Request-Headers: \"Authorization\".");
        assertThat(x.verdict.matches().get(0).rule()).isEqualTo(
                "r1 match http.request.uri contains \"password=hunter2\" => redact header Authorization; redact param password");
    }
}
