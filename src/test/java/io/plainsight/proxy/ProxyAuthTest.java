package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ProxyAuthTest {
    static String basic(String s) {
        return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsOnlyTheExactBasicCredentials() {
        ProxyAuth a = ProxyAuth.parse("--proxy-auth", "alice:pa:ss");
        assertThat(a).isEqualTo(new ProxyAuth("alice", "pa:ss"));
        assertThat(a.acceptsHeader(basic("alice:pa:ss"))).isTrue();
        assertThat(a.acceptsHeader("basic  " + Base64.getEncoder().encodeToString("alice:pa:ss".getBytes()))).isTrue();
        assertThat(a.acceptsHeader(basic("alice:pa"))).isFalse();
        assertThat(a.acceptsHeader("Bearer x")).isFalse();
        assertThat(a.acceptsHeader("Basic !!!")).isFalse();
        assertThat(a.acceptsHeader(null)).isFalse();
        assertThat(a.accepts("alice", "pa:ss")).isTrue();
        assertThat(a.accepts("alice", "pa")).isFalse();
        assertThat(a.accepts(null, null)).isFalse();
        assertThat(a.toString()).doesNotContain("pa:ss");
    }

    @Test
    void malformedCredentialsNameTheSource() {
        assertThatThrownBy(() -> ProxyAuth.parse("--proxy-auth-file f", "nocolon")).hasMessage("--proxy-auth-file f: expected USER:PASSWORD");
        assertThatThrownBy(() -> ProxyAuth.parse("--proxy-auth", ":pw")).hasMessageContaining("USER:PASSWORD");
    }
}
