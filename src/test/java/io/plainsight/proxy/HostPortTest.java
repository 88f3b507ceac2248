package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesForms() {
        assertThat(HostPort.parse("--connect", "example.com:443")).isEqualTo(new HostPort("example.com", 443));
        assertThat(HostPort.parse("--connect", "[::1]:8443")).isEqualTo(new HostPort("::1", 8443));
        assertThat(HostPort.parseListen("--listen", "8443")).isEqualTo(new HostPort("127.0.0.1", 8443));
        assertThat(HostPort.parseListen("--listen", "0.0.0.0:8443")).isEqualTo(new HostPort("0.0.0.0", 8443));
        assertThat(new HostPort("::1", 1).toString()).isEqualTo("[::1]:1");
    }

    @Test
    void badInputNamesOptionAndCause() {
        assertThatThrownBy(() -> HostPort.parse("--connect", "example.com"))
                .hasMessage("--connect 'example.com': port 'example.com' is not a number");
        assertThatThrownBy(() -> HostPort.parse("--connect", "h:99999"))
                .hasMessage("--connect 'h:99999': port 99999 is out of range 0-65535");
        assertThatThrownBy(() -> HostPort.parse("--connect", "::1:80"))
                .hasMessageContaining("brackets");
        assertThatThrownBy(() -> HostPort.parse("--connect", ":80")).hasMessage("--connect ':80': expected HOST:PORT");
    }

    @Test
    void ipLiterals() {
        assertThat(HostPort.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(HostPort.isIpLiteral("::1")).isTrue();
        assertThat(HostPort.isIpLiteral("localhost")).isFalse();
    }
}
