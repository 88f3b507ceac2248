package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Running;
import io.plainsight.testing.Docroot;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A client that sends its request, then ends its sending side (TCP FIN) and still reads the
 * answer: plainsight passes the end on to the server (a FIN) and keeps relaying the answer until
 * the server ends too. (A TLS client's close_notify cannot be half-closed through BoringSSL in
 * Netty: the engine shuts both directions when it reads one.)
 */
class HalfCloseTest extends E2eSupport {
    static final byte[] REQUEST = "the whole question\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] ANSWER = Docroot.content("1m.bin");

    /**
     * A TLS backend that reads until the client's end of input, then answers 1 MiB and closes,
     * like a service used with {@code nc -N}.
     */
    static final class ReadsToEndServer implements AutoCloseable {
        final javax.net.ssl.SSLServerSocket server;
        final java.util.concurrent.CompletableFuture<byte[]> received = new java.util.concurrent.CompletableFuture<>();

        ReadsToEndServer() throws Exception {
            server = (javax.net.ssl.SSLServerSocket) nginx.pki().serverSslContext().getServerSocketFactory()
                    .createServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    try {
                        for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
                            got.write(buf, 0, n);
                        }
                    } catch (java.io.IOException endWithoutCloseNotify) {
                        // a TCP FIN without close_notify: still the end of the request
                    }
                    received.complete(got.toByteArray());
                    s.getOutputStream().write(ANSWER);
                    s.getOutputStream().flush();
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void plaintextClientHalfClosesThroughOriginate() throws Exception {
        try (ReadsToEndServer backend = new ReadsToEndServer()) {
            Running r = plainsight("originate", "--listen", "127.0.0.1:0", "--connect", "localhost:" + backend.port(),
                    "--upstream-ca", nginx.pki().caCert().toString());
            try (Socket s = new Socket("127.0.0.1", r.port())) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write(REQUEST);
                s.shutdownOutput(); // FIN: the request is all there is
                assertThat(readAll(s.getInputStream())).isEqualTo(ANSWER);
            }
            assertThat(backend.received.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(REQUEST);
            String line = awaitConsoleLine(r, l -> l.contains(" originate "));
            assertThat(line).contains("FIN(client)").contains("up=19B").contains("down=1.0MiB");
            Path pcap = flushedCapture(r);
            assertThat(tshark.followTcpRaw(pcap, 0, true)).isEqualTo(REQUEST);
            assertThat(tshark.followTcpRaw(pcap, 0, false)).isEqualTo(ANSWER);
        }
    }
}
