package io.plainsight.http;

import static io.plainsight.http.Fixtures.buf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of the fixtures (truncation, random bytes, inserted CR/LF/SP/NUL/colon): the
 * parsers only ever return a result, null, or an Http1ParseException, and the outcome does not
 * depend on how the bytes were split.
 */
class MutationTest {
    private static final byte[] SPECIAL = {'\r', '\n', ' ', '\t', 0, ':', ';', '0', 'f', (byte) 0x80};

    static String mutate(String seed, Random r) {
        byte[] m = seed.getBytes(StandardCharsets.ISO_8859_1);
        for (int f = 1 + r.nextInt(3); f > 0 && m.length > 0; f--) {
            int at = r.nextInt(m.length);
            switch (r.nextInt(3)) {
                case 0 -> m[at] = (byte) r.nextInt(256);
                case 1 -> m[at] = SPECIAL[r.nextInt(SPECIAL.length)];
                default -> {
                    byte[] n = new byte[m.length + 1];
                    System.arraycopy(m, 0, n, 0, at);
                    n[at] = SPECIAL[r.nextInt(SPECIAL.length)];
                    System.arraycopy(m, at, n, at + 1, m.length - at);
                    m = n;
                }
            }
        }
        return new String(m, StandardCharsets.ISO_8859_1);
    }

    /** A head, "null", or the exception message. */
    static Object outcome(ByteBuf b, boolean request, int max) {
        try {
            Http1Head h = request ? Http1HeadParser.parseRequest(b, max) : Http1HeadParser.parseResponse(b, max);
            return h == null ? "null" : h;
        } catch (Http1ParseException e) {
            return e.getMessage();
        }
    }

    @Test
    void headParserOutcomeDoesNotDependOnSplitting() {
        Random r = new Random(9112);
        List<String> requests = List.of(Fixtures.CURL_PROXY_POST, Fixtures.CURL_CONNECT, "\r\nGET / HTTP/1.1\nA: b\n\n");
        List<String> responses = List.of(Fixtures.NGINX_CHUNKED_HEAD, "HTTP/1.1 200\r\n\r\n");
        for (int t = 0; t < 3000; t++) {
            boolean request = r.nextBoolean();
            List<String> seeds = request ? requests : responses;
            String wire = mutate(seeds.get(r.nextInt(seeds.size())), r);
            int max = r.nextInt(4) == 0 ? 1 + r.nextInt(wire.length() + 1) : 65536;
            Object whole = outcome(buf(wire), request, max);
            int headLength = whole instanceof Http1Head h ? h.length() : Integer.MAX_VALUE;
            for (int k = 0; k < wire.length(); k++) {
                Object part = outcome(buf(wire.substring(0, k)), request, max);
                if (k >= headLength) {
                    assertThat(part).as("%s prefix %d", wire, k).isEqualTo(whole);
                } else if (!"null".equals(part)) {
                    assertThat(part).as("%s prefix %d", wire, k).isEqualTo(whole);
                }
            }
        }
    }

    /**
     * Off-heap bytes (as the proxy taps them: a slice of a pooled direct buffer, not at index 0)
     * are parsed through a heap copy of the head, made in growing blocks: the outcome must be the
     * one of the same bytes on the heap, for heads shorter and longer than a block, cut anywhere.
     */
    @Test
    void headParserOutcomeIsTheSameOffHeap() {
        Random r = new Random(3164);
        StringBuilder big = new StringBuilder("GET /big HTTP/1.1\r\nHost: a.test\r\n");
        for (int i = 0; big.length() < 5000; i++) {
            big.append("X-Field-").append(i).append(": ").append("v".repeat(i % 50)).append("\r\n");
        }
        List<String> requests = List.of(Fixtures.CURL_PROXY_POST, Fixtures.CURL_CONNECT, "\r\nGET / HTTP/1.1\nA: b\n\n",
                big + "\r\n");
        List<String> responses = List.of(Fixtures.NGINX_CHUNKED_HEAD, "HTTP/1.1 200\r\n\r\n",
                "HTTP/1.1 200 OK\r\n" + big.substring(big.indexOf("\n") + 1) + "\r\n");
        for (int t = 0; t < 3000; t++) {
            boolean request = r.nextBoolean();
            List<String> seeds = request ? requests : responses;
            String wire = mutate(seeds.get(r.nextInt(seeds.size())), r) + (r.nextBoolean() ? "body bytes" : "");
            int max = r.nextInt(4) == 0 ? 1 + r.nextInt(wire.length() + 1) : 65536;
            for (int k : new int[] {wire.length(), r.nextInt(wire.length() + 1), r.nextInt(wire.length() + 1)}) {
                String bytes = wire.substring(0, k);
                ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(k + 3);
                try {
                    direct.writeBytes(("abc" + bytes).getBytes(StandardCharsets.ISO_8859_1));
                    ByteBuf slice = direct.slice(3, k);
                    assertThat(slice.hasArray()).isFalse();
                    assertThat(outcome(slice, request, max)).as("%s prefix %d, max %d", wire, k, max)
                            .isEqualTo(outcome(buf(bytes), request, max));
                    assertThat(slice.readerIndex()).isZero();
                } finally {
                    direct.release();
                }
            }
        }
    }

    /**
     * One line cache through thousands of mutated heads (valid and not, requests and responses,
     * on and off the heap): each outcome is the one without a cache.
     */
    @Test
    void headParserOutcomeIsTheSameWithALineCache() {
        Random r = new Random(1230);
        Http1LineCache cache = new Http1LineCache();
        List<String> requests = List.of(Fixtures.CURL_PROXY_POST, Fixtures.CURL_CONNECT, "\r\nGET / HTTP/1.1\nA: b\n\n");
        List<String> responses = List.of(Fixtures.NGINX_CHUNKED_HEAD, "HTTP/1.1 200\r\n\r\n");
        for (int t = 0; t < 5000; t++) {
            boolean request = r.nextBoolean();
            List<String> seeds = request ? requests : responses;
            String seed = seeds.get(r.nextInt(seeds.size()));
            String wire = r.nextInt(3) == 0 ? seed : mutate(seed, r);
            int max = r.nextInt(8) == 0 ? 1 + r.nextInt(wire.length() + 1) : 65536;
            Object expected = outcome(buf(wire), request, max);
            Object cached;
            if (r.nextBoolean()) {
                cached = outcome(buf(wire), request, max, cache);
            } else {
                ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(wire.length());
                try {
                    direct.writeBytes(wire.getBytes(StandardCharsets.ISO_8859_1));
                    cached = outcome(direct, request, max, cache);
                } finally {
                    direct.release();
                }
            }
            assertThat(cached).as("%s, max %d", wire, max).isEqualTo(expected);
        }
    }

    static Object outcome(ByteBuf b, boolean request, int max, Http1LineCache cache) {
        try {
            Http1Head h = request ? Http1HeadParser.parseRequest(b, max, cache) : Http1HeadParser.parseResponse(b, max, cache);
            return h == null ? "null" : h;
        } catch (Http1ParseException e) {
            return e.getMessage();
        }
    }

    /** The body's share, or the exception message, feeding {@code wire} in random slices (one byte each if {@code step} is 1). */
    static Object scan(String wire, Random slices, int step) {
        BodyScanner s = new BodyScanner(BodyFraming.chunked());
        ByteBuf b = buf(wire);
        int at = 0;
        try {
            while (at < wire.length() && !s.isComplete()) {
                int n = Math.min(wire.length() - at, step > 0 ? step : 1 + slices.nextInt(wire.length()));
                int share = s.scan(b, at, n);
                at += share;
                if (share < n) {
                    break;
                }
            }
            return s.isComplete() ? "complete after " + at + ", data " + s.dataBytes() : "incomplete, data " + s.dataBytes();
        } catch (Http1ParseException e) {
            return e.getMessage();
        }
    }

    @Test
    void chunkedScannerOutcomeDoesNotDependOnSplitting() {
        Random r = new Random(7230);
        List<String> seeds = List.of(Fixtures.CHUNKED_BODY, "5\nhello\n0\nT: v\n\n", "a;x=\"y\"\r\n0123456789\r\n0\r\n\r\n");
        for (int t = 0; t < 5000; t++) {
            String wire = mutate(seeds.get(r.nextInt(seeds.size())), r) + "GET / HTTP/1.1\r\n\r\n";
            Object whole = scan(wire, r, wire.length());
            assertThat(scan(wire, r, 1)).as(wire).isEqualTo(whole);
            assertThat(scan(wire, r, 0)).as(wire).isEqualTo(whole);
        }
    }
}
