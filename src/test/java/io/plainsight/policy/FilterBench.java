package io.plainsight.policy;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Evaluations per second of typical filters, against a hand-written Java predicate doing the same
 * checks on the same source (the ratio is what to read: this machine is shared and noisy), and the
 * bytes allocated per evaluation. Prints; asserts nothing. Run after {@code mvn test-compile}:
 *
 * <pre>
 * java -cp target/classes:target/test-classes io.plainsight.policy.FilterBench
 * </pre>
 */
public final class FilterBench {
    private static volatile boolean sink;

    public static void main(String[] args) throws Exception {
        MapFieldSource exchange = Sources.connection("10.0.0.5", 39836, "192.0.2.80", 443)
                .put("plainsight.mode", "reverse")
                .put("tls.sni", "api.example.com")
                .present("http.request")
                .present("http.response")
                .put("http.host", "api.example.com")
                .put("http.request.method", "POST")
                .put("http.request.uri", "/v1/orders?id=77")
                .put("http.response.code", 503)
                .put("http.header.user-agent", "curl/8.5.0");
        byte[] net = {10, 0, 0, 0};
        run("ip.addr == 10.0.0.5 && tcp.port == 39836", exchange, s -> {
            for (String k : new String[] {"ip.src", "ip.dst"}) {
                for (Object v : s.values(k)) {
                    if (Arrays.equals(((java.net.InetAddress) v).getAddress(), new byte[] {10, 0, 0, 5})) {
                        return anyPort(s, 39836);
                    }
                }
            }
            return false;
        });
        run("ip.addr == 10.0.0.0/8 && http.response.code >= 500 && http.host contains \"api\"", exchange, s -> {
            boolean in = false;
            for (String k : new String[] {"ip.src", "ip.dst"}) {
                for (Object v : s.values(k)) {
                    byte[] a = ((java.net.InetAddress) v).getAddress();
                    in |= a.length == 4 && a[0] == net[0];
                }
            }
            if (!in) {
                return false;
            }
            boolean code = false;
            for (Object v : s.values("http.response.code")) {
                code |= (Long) v >= 500;
            }
            if (!code) {
                return false;
            }
            for (Object v : s.values("http.host")) {
                if (((String) v).contains("api")) {
                    return true;
                }
            }
            return false;
        });
        java.util.regex.Pattern admin = java.util.regex.Pattern.compile("^/v1/", java.util.regex.Pattern.CASE_INSENSITIVE);
        run("http.request.method == \"POST\" && http.request.uri matches \"^/v1/\"", exchange, s -> {
            for (Object m : s.values("http.request.method")) {
                if (m.equals("POST")) {
                    for (Object u : s.values("http.request.uri")) {
                        if (admin.matcher((String) u).find()) {
                            return true;
                        }
                    }
                }
            }
            return false;
        });
    }

    private static boolean anyPort(FieldSource s, long port) {
        for (String k : new String[] {"tcp.srcport", "tcp.dstport"}) {
            for (Object v : s.values(k)) {
                if ((Long) v == port) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void run(String expression, FieldSource source, Predicate<FieldSource> handWritten) throws Exception {
        FilterExpression filter = FilterExpression.parse(expression);
        if (filter.matches(source) != handWritten.test(source)) {
            throw new IllegalStateException("the hand-written predicate disagrees with " + expression);
        }
        Predicate<FieldSource> compiled = filter::matches;
        measure(compiled, source, 2_000);
        measure(handWritten, source, 2_000);
        double[] ours = new double[5];
        double[] theirs = new double[5];
        long[] bytes = new long[5];
        for (int i = 0; i < 5; i++) {
            long before = allocated();
            long n = 0;
            long end = System.nanoTime() + 1_000_000_000L;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int k = 0; k < 1000; k++) {
                    sink ^= filter.matches(source);
                }
                n += 1000;
            }
            ours[i] = n / ((System.nanoTime() - start) / 1e9);
            bytes[i] = (allocated() - before) / n;
            theirs[i] = measure(handWritten, source, 1_000);
        }
        Arrays.sort(ours);
        Arrays.sort(theirs);
        Arrays.sort(bytes);
        System.out.printf("%-80s %,12.0f eval/s  hand-written %,12.0f eval/s  ratio %.2f  %d bytes/eval%n",
                expression, ours[2], theirs[2], ours[2] / theirs[2], bytes[2]);
    }

    private static double measure(Predicate<FieldSource> p, FieldSource source, long millis) {
        long n = 0;
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                sink ^= p.test(source);
            }
            n += 1000;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private FilterBench() {}
}
