package io.plainsight.http;

import io.plainsight.event.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TCP relay on 127.0.0.1 for one connection: it forwards both directions to an upstream port and
 * records every read, in the order the reads returned (a read is recorded before it is forwarded,
 * so an answer is never recorded before what caused it). Further connections are refused and
 * counted. With an {@link SSLContext} it terminates TLS offering ALPN "h2" (as plainsight does)
 * and records the plaintext; the upstream leg is always plain.
 */
final class RecordingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Http2Wire.Chunk> chunks = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(2);
    private final long startNanos = System.nanoTime();
    private volatile int connections;
    private volatile Socket client;
    private volatile Socket upstream;
    private volatile String alpn;

    RecordingRelay(int upstreamPort, SSLContext tls) {
        this.upstreamPort = upstreamPort;
        try {
            if (tls != null) {
                SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
                SSLParameters p = server.getSSLParameters();
                p.setApplicationProtocols(new String[] {"h2"});
                server.setSSLParameters(p);
                listener = server;
            } else {
                listener = new ServerSocket();
            }
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::accept, "relay-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The protocol the TLS client chose by ALPN (null for plain TCP). */
    String alpn() {
        return alpn;
    }

    /** Connections accepted (only the first is relayed). */
    int connections() {
        return connections;
    }

    private void accept() {
        try {
            while (true) {
                Socket s = listener.accept();
                if (++connections > 1) {
                    s.close();
                    continue;
                }
                client = s;
                if (s instanceof SSLSocket tls) {
                    tls.startHandshake();
                    alpn = tls.getApplicationProtocol();
                }
                upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                pump(client, upstream, Direction.CLIENT_TO_SERVER);
                pump(upstream, client, Direction.SERVER_TO_CLIENT);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, Direction d) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65_536];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (chunks) {
                        chunks.add(new Http2Wire.Chunk(d, (System.nanoTime() - startNanos) / 1000,
                                Arrays.copyOf(buf, n)));
                    }
                    out.write(buf, 0, n);
                }
                try {
                    to.shutdownOutput();
                } catch (IOException | UnsupportedOperationException e) {
                    to.close();
                }
            } catch (IOException e) {
                // reset or closed: the recording ends here
            } finally {
                done.countDown();
            }
        }, "relay-" + d);
        t.setDaemon(true);
        t.start();
    }

    /** Waits until both directions ended; returns what was recorded. */
    List<Http2Wire.Chunk> awaitEnd(Duration timeout) {
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the relayed connection did not end within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (chunks) {
            return List.copyOf(chunks);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {listener, client, upstream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
