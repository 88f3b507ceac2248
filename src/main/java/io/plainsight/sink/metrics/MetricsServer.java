package io.plainsight.sink.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of {@code --metrics}: {@code GET /metrics} (Prometheus text exposition format
 * 0.0.4) and {@code GET /healthz} (200 "ok", or 503 naming the problems; see {@link Health}),
 * 404 for any other path. One thread of its own (the JDK's HTTP server), never the proxy's I/O
 * threads; the same thread samples the health once a second.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("plainsight");
    /** The content type of the Prometheus text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ScheduledExecutorService thread;
    private final Metrics metrics;
    private volatile Health health;

    private MetricsServer(HttpServer server, ScheduledExecutorService thread, Metrics metrics) {
        this.server = server;
        this.thread = thread;
        this.metrics = metrics;
    }

    /**
     * Listens on {@code address} (port 0: a free one) and serves {@code metrics}.
     *
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static MetricsServer start(InetSocketAddress address, Metrics metrics) throws IOException {
        HttpServer http = HttpServer.create(address, 16);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        MetricsServer s = new MetricsServer(http, thread, metrics);
        http.setExecutor(thread);
        http.createContext("/", s::handle);
        http.start();
        thread.scheduleAtFixedRate(s::sampleHealth, 1, 1, TimeUnit.SECONDS);
        return s;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** From now on, /healthz answers from {@code health} (before: 503 "starting"). */
    public void health(Health h) {
        this.health = h;
    }

    private void sampleHealth() {
        Health h = health;
        if (h != null) {
            try {
                h.sample(System.nanoTime());
            } catch (RuntimeException e) {
                log.debug("health sample failed: {}", e.toString());
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!path.equals("/metrics") && !path.equals("/healthz")) {
                send(ex, 404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            if (path.equals("/metrics")) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                metrics.scrape(body, CONTENT_TYPE);
                send(ex, 200, CONTENT_TYPE, body.toByteArray());
                return;
            }
            Health h = health;
            if (h == null) {
                send(ex, 503, "text/plain; charset=utf-8", "starting\n");
                return;
            }
            Health.Status st = h.status(System.nanoTime());
            send(ex, st.healthy() ? 200 : 503, "text/plain; charset=utf-8",
                    st.healthy() ? "ok\n" : "unhealthy\n" + String.join("\n", st.problems()) + "\n");
        } catch (IOException | RuntimeException e) {
            log.debug("metrics endpoint: {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
        }
    }

    private static void send(HttpExchange ex, int status, String type, String text) throws IOException {
        send(ex, status, type, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops listening and the thread. */
    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
