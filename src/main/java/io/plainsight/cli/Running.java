package io.plainsight.cli;

import io.plainsight.event.CaptureBus;
import io.plainsight.proxy.ProxyServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A started listener and its capture: stop it with {@link #close()} (flushes every output). */
public final class Running implements AutoCloseable {
    private final ProxyServer server;
    private final CaptureBus bus;
    private final InetSocketAddress address;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Runnable onStop;
    private InetSocketAddress metricsAddress;

    Running(ProxyServer server, CaptureBus bus, InetSocketAddress address, Runnable onStop) {
        this.server = server;
        this.bus = bus;
        this.address = address;
        this.onStop = onStop;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Where --metrics serves /metrics and /healthz, or null without it. */
    public InetSocketAddress metricsAddress() {
        return metricsAddress;
    }

    Running withMetrics(InetSocketAddress address) {
        this.metricsAddress = address;
        return this;
    }

    public CaptureBus bus() {
        return bus;
    }

    /** Waits until every event so far reached every output and was flushed. */
    public boolean drain() {
        return bus.drain(10, TimeUnit.SECONDS);
    }

    public void await() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        server.close();
        bus.close();
        onStop.run();
        stopped.countDown();
    }
}
