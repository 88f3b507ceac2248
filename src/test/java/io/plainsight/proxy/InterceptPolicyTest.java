package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Interception;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class InterceptPolicyTest {
    final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void ignorePatternsMatchTheTargetOrTheSniWithItsPort() {
        InterceptPolicy p = new InterceptPolicy(List.of(Pattern.compile("^bank\\.example:443$"), Pattern.compile("\\.pinned\\.test:")),
                0, Duration.ZERO, now::get);
        assertThat(p.decide(new HostPort("bank.example", 443), null)).isEqualTo(Interception.PASSED_THROUGH);
        assertThat(p.decide(new HostPort("bank.example", 8443), null)).isEqualTo(Interception.DECRYPTED);
        assertThat(p.decide(new HostPort("10.0.0.1", 443), "api.pinned.test")).isEqualTo(Interception.PASSED_THROUGH);
        assertThat(p.decide(new HostPort("10.0.0.1", 443), "api.other.test")).isEqualTo(Interception.DECRYPTED);
    }

    @Test
    void aHostFailsOpenAfterNRejectionsForTheGivenTimeThenIsDecryptedAgain() {
        InterceptPolicy p = new InterceptPolicy(List.of(), 3, Duration.ofSeconds(600), now::get);
        HostPort t = new HostPort("10.0.0.1", 443);
        p.rejected(t, "App.Test");
        p.rejected(t, "app.test");
        assertThat(p.decide(t, "app.test")).isEqualTo(Interception.DECRYPTED);
        p.rejected(t, "app.test");
        assertThat(p.decide(t, "app.test")).isEqualTo(Interception.FAILED_OPEN);
        assertThat(p.decide(t, "other.test")).isEqualTo(Interception.DECRYPTED);
        now.addAndGet(599_999);
        assertThat(p.decide(t, "app.test")).isEqualTo(Interception.FAILED_OPEN);
        now.addAndGet(1);
        assertThat(p.decide(t, "app.test")).isEqualTo(Interception.DECRYPTED);
    }

    @Test
    void anAcceptedHandshakeResetsTheCount() {
        InterceptPolicy p = new InterceptPolicy(List.of(), 2, Duration.ofSeconds(60), now::get);
        HostPort t = new HostPort("app.test", 443);
        p.rejected(t, null);
        p.accepted(t, null);
        p.rejected(t, null);
        assertThat(p.decide(t, null)).isEqualTo(Interception.DECRYPTED);
        p.rejected(t, null);
        assertThat(p.decide(t, null)).isEqualTo(Interception.FAILED_OPEN);
    }

    @Test
    void withoutFailOpenNothingIsEverPassedThrough() {
        InterceptPolicy p = InterceptPolicy.decryptAll();
        HostPort t = new HostPort("app.test", 443);
        for (int i = 0; i < 10; i++) {
            p.rejected(t, null);
        }
        assertThat(p.decide(t, null)).isEqualTo(Interception.DECRYPTED);
    }

    @Test
    void aClientThatDidNotSpeakTlsIsNotARejection() {
        assertThat(InterceptPolicy.isCertificateRejection(new SSLHandshakeException("error:10000416:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"))).isTrue();
        assertThat(InterceptPolicy.isCertificateRejection(new io.netty.handler.ssl.NotSslRecordException("not an SSL/TLS record: 474554"))).isFalse();
    }
}
