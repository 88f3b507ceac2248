package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RsaKeyOptionTest {
    @TempDir
    Path dir;

    @Test
    void fileAloneAddressAndPortPasswordFileAndEnvironment() throws IOException {
        Path key = Files.writeString(dir.resolve("server.key"), "x");
        Path pw = Files.writeString(dir.resolve("pw.txt"), "s3cret\r\nignored\n");

        RsaKeyOption plain = RsaKeyOption.parse(key.toString(), Map.of());
        assertThat(plain.file()).isEqualTo(key);
        assertThat(plain.narrowTo()).isNull();
        assertThat(plain.password()).isNull();

        RsaKeyOption narrowed = RsaKeyOption.parse("10.0.0.2,8443," + key + ":" + pw, Map.of());
        assertThat(narrowed.narrowTo()).isEqualTo(new InetSocketAddress("10.0.0.2", 8443));
        assertThat(narrowed.password()).containsExactly("s3cret".toCharArray());

        RsaKeyOption v6 = RsaKeyOption.parse("::1,443," + key + ":env:KEYPASS", Map.of("KEYPASS", "from env"));
        assertThat(v6.narrowTo()).isEqualTo(new InetSocketAddress("::1", 443));
        assertThat(v6.password()).containsExactly("from env".toCharArray());

        assertThat(RsaKeyOption.parse("any,0," + key, Map.of()).narrowTo()).isEqualTo(new InetSocketAddress("0.0.0.0", 0));
    }

    @Test
    void badSpecificationsNameWhatIsWrong() throws IOException {
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        assertThatThrownBy(() -> RsaKeyOption.parse("10.0.0.2,99999," + key, Map.of()))
                .hasMessageContaining("'99999' is not a port");
        assertThatThrownBy(() -> RsaKeyOption.parse("server.example,443," + key, Map.of()))
                .hasMessageContaining("'server.example' is not an IP address");
        assertThatThrownBy(() -> RsaKeyOption.parse(dir.resolve("missing.pem").toString(), Map.of()))
                .hasMessageContaining("missing.pem does not exist");
        assertThatThrownBy(() -> RsaKeyOption.parse(key + ":env:NOPE", Map.of()))
                .hasMessageContaining("environment variable NOPE is not set");
        assertThatThrownBy(() -> RsaKeyOption.parse(key + ":" + dir.resolve("nopw"), Map.of()))
                .hasMessageContaining("cannot read the password file");
        assertThatThrownBy(() -> RsaKeyOption.parse("1,2", Map.of())).hasMessageContaining("expected [IP,PORT,]FILE[:PASSWORD]");
    }
}
