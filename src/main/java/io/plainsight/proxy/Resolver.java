package io.plainsight.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Resolves host names the clients ask for (CONNECT, SOCKS, absolute URLs) off the I/O threads:
 * the system resolver blocks, and one slow DNS answer must not stall every connection of a loop.
 * IP literals resolve at once. The JDK caches answers (networkaddress.cache.ttl).
 */
final class Resolver {
    private static final ExecutorService POOL = new ThreadPoolExecutor(0, 16, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "resolve");
                t.setDaemon(true);
                return t;
            });

    private Resolver() {}

    /** The address of {@code target}, completed on {@code loop}; fails with UnknownHostException. */
    static Future<InetSocketAddress> resolve(HostPort target, EventExecutor loop) {
        Promise<InetSocketAddress> promise = loop.newPromise();
        if (target.isIpLiteral()) {
            try {
                return promise.setSuccess(new InetSocketAddress(InetAddress.getByName(target.host()), target.port()));
            } catch (UnknownHostException e) {
                return promise.setFailure(e);
            }
        }
        POOL.execute(() -> {
            try {
                InetAddress address = InetAddress.getByName(target.host());
                loop.execute(() -> promise.trySuccess(new InetSocketAddress(address, target.port())));
            } catch (UnknownHostException e) {
                loop.execute(() -> promise.tryFailure(e));
            }
        });
        return promise;
    }
}
