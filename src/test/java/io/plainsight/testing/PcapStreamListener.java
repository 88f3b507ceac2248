package io.plainsight.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain TCP listener on 127.0.0.1 for {@code --pcap-over-ip-connect}: accepts connections one
 * after another and copies each into a file of its own ({@code PREFIX-1.pcap}, {@code PREFIX-2.pcap}...).
 * {@link #close()} closes the listening socket and every connection, like a listener that goes away.
 */
public final class PcapStreamListener implements AutoCloseable {
    /** One accepted connection: the file it is copied into, and whether it ended. */
    public static final class Connection {
        private final Socket socket;
        private final Path file;
        private volatile boolean ended;

        Connection(Socket socket, Path file) {
            this.socket = socket;
            this.file = file;
        }

        public Path file() {
            return file;
        }

        public boolean ended() {
            return ended;
        }

        public long bytes() {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return 0;
            }
        }
    }

    private final ServerSocket server;
    private final Path dir;
    private final String prefix;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private PcapStreamListener(int port, Path dir, String prefix) {
        this.dir = dir;
        this.prefix = prefix;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        acceptor = new Thread(this::accept, "pcap-stream-listener");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port); connections go to {@code dir/PREFIX-N.pcap}. */
    public static PcapStreamListener start(int port, Path dir, String prefix) {
        return new PcapStreamListener(port, dir, prefix);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            Connection c = new Connection(s, dir.resolve(prefix + "-" + (connections.size() + 1) + ".pcap"));
            connections.add(c);
            Thread t = new Thread(() -> copy(c), "pcap-stream-listener-copy");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void copy(Connection c) {
        byte[] buf = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(c.file); InputStream in = c.socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed by close(), or reset: the file holds what came
        } finally {
            c.ended = true;
        }
    }

    /** The connections accepted so far, in order. */
    public List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    /** Waits until {@code n} connections were accepted and the last holds {@code bytes} bytes. */
    public Connection awaitConnection(int n, long bytes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connections.size() < n || connections.get(n - 1).bytes() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("listener on port " + port() + ": " + connections.size() + " connections, not " + n
                        + " with " + bytes + " bytes, within " + timeout);
            }
            ExternalProcess.sleep(20);
        }
        return connections.get(n - 1);
    }

    /** Waits until connection {@code n} (from 1) ended: its file is complete. */
    public void awaitEnded(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!connections.get(n - 1).ended()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection " + n + " to port " + port() + " did not end within " + timeout);
            }
            ExternalProcess.sleep(20);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Connection c : connections) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
