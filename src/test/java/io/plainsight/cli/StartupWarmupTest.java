package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/** decrypt's start-up warm-up: a thread of its own for decrypt only, which ends and leaves the JDK's crypto usable. */
class StartupWarmupTest {
    @Test
    void decryptGetsAWarmUpThreadThatEndsAndOtherCommandsNone() throws Exception {
        assertThat(StartupWarmup.startFor(new String[] {"reverse", "--listen", "8443"})).isNull();
        assertThat(StartupWarmup.startFor(new String[0])).isNull();
        Thread t = StartupWarmup.startFor(new String[] {"decrypt", "capture.pcap"});
        assertThat(t).isNotNull();
        assertThat(t.isDaemon()).isTrue();
        assertThat(t.getName()).isEqualTo("warm-up");
        assertThat(t.join(Duration.ofSeconds(30))).isTrue();
        assertThat(Cipher.getInstance("AES/GCM/NoPadding").getAlgorithm()).isEqualTo("AES/GCM/NoPadding");
    }
}
