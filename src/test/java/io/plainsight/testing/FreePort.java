package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Free loopback TCP ports for servers started by tests, and a wait until a port accepts.
 *
 * <p>The port is free when returned; another process may take it before the caller binds it, so
 * fixtures that start servers retry with a new port when the bind fails (see {@link NginxFixture}).
 */
public final class FreePort {

    private FreePort() {
    }

    /** A TCP port that is currently free on 127.0.0.1. */
    public static int tcp() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port} right now. */
    public static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls until 127.0.0.1:{@code port} accepts connections; false if the timeout passes first. */
    public static boolean awaitAccepting(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (accepting(port)) {
                return true;
            }
            ExternalProcess.sleep(25);
        }
        return accepting(port);
    }
}
