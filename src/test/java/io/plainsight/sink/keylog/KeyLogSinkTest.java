package io.plainsight.sink.keylog;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.Leg;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLogSinkTest {
    @TempDir
    Path tmp;

    static TlsSecrets secrets(long id, String lines) {
        return new TlsSecrets(id, 0, Leg.CLIENT, lines);
    }

    @Test
    void linesAreAppendedToAnOwnerOnlyFileCreatedWithMissingDirectories() throws Exception {
        Path file = tmp.resolve("a/b/keys.log");
        KeyLogSink sink = new KeyLogSink(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        sink.accept(secrets(1, "CLIENT_RANDOM 01 02\n"));
        sink.accept(secrets(2, "CLIENT_HANDSHAKE_TRAFFIC_SECRET 03 04\nSERVER_HANDSHAKE_TRAFFIC_SECRET 03 05\n"));
        sink.flush();
        assertThat(Files.readString(file)).isEqualTo("CLIENT_RANDOM 01 02\nCLIENT_HANDSHAKE_TRAFFIC_SECRET 03 04\n"
                + "SERVER_HANDSHAKE_TRAFFIC_SECRET 03 05\n");
        sink.close();

        KeyLogSink again = new KeyLogSink(file);
        again.accept(secrets(3, "CLIENT_RANDOM 06 07\n"));
        again.close();
        assertThat(Files.readString(file)).endsWith("SERVER_HANDSHAKE_TRAFFIC_SECRET 03 05\nCLIENT_RANDOM 06 07\n");
    }

    @Test
    void itWantsSecretsOnlyAndTheBusFlushesItWithinASecond() throws Exception {
        Path file = tmp.resolve("keys.log");
        KeyLogSink sink = new KeyLogSink(file);
        assertThat(sink.acceptsData()).isFalse();
        assertThat(sink.acceptsWire()).isFalse();
        assertThat(sink.acceptsSecrets()).isTrue();
        try (CaptureBus bus = new CaptureBus(List.of(sink))) {
            assertThat(bus.wantsSecrets()).isTrue();
            assertThat(bus.wantsData()).isFalse();
            bus.publish(secrets(1, "CLIENT_RANDOM 01 02\n"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (Files.size(file) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Files.readString(file)).isEqualTo("CLIENT_RANDOM 01 02\n");
        }
    }

    @Test
    void linesThatCannotBeWrittenAreKeptAndWrittenWhenTheFileCanBe() throws Exception {
        Path blocker = tmp.resolve("dir");
        Files.writeString(blocker, "a file where the directory should be");
        Path file = blocker.resolve("keys.log");
        KeyLogSink sink = new KeyLogSink(file);
        sink.accept(secrets(1, "CLIENT_RANDOM 01 02\n"));
        sink.flush();
        sink.accept(secrets(2, "CLIENT_RANDOM 03 04\n"));
        sink.flush();
        Files.delete(blocker);
        sink.accept(secrets(3, "CLIENT_RANDOM 05 06\n"));
        sink.flush();
        sink.close();
        assertThat(Files.readString(file)).isEqualTo("CLIENT_RANDOM 01 02\nCLIENT_RANDOM 03 04\nCLIENT_RANDOM 05 06\n");
        assertThat(sink.lostLines()).isZero();
    }

    @Test
    void sinksThatWriteTheWireWantSecretsByDefaultOthersDoNot() {
        Sink plain = new Sink() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public void accept(io.plainsight.event.CaptureEvent event) {
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Sink wire = new Sink() {
            @Override
            public String name() {
                return "wire";
            }

            @Override
            public boolean acceptsWire() {
                return true;
            }

            @Override
            public void accept(io.plainsight.event.CaptureEvent event) {
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        assertThat(plain.acceptsSecrets()).isFalse();
        assertThat(wire.acceptsSecrets()).isTrue();
        try (CaptureBus none = new CaptureBus(List.of(plain)); CaptureBus some = new CaptureBus(List.of(plain, wire))) {
            assertThat(none.wantsSecrets()).isFalse();
            assertThat(some.wantsSecrets()).isTrue();
        }
    }
}
