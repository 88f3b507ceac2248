package io.plainsight.http;

import static io.plainsight.http.Fixtures.buf;
import static io.plainsight.http.Fixtures.bufAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Http1HeadParserTest {
    private static final int MAX = Http1HeadParser.DEFAULT_MAX_HEAD;

    static Http1Head request(String s) throws Http1ParseException {
        return Http1HeadParser.parseRequest(buf(s), MAX);
    }

    static Http1Head response(String s) throws Http1ParseException {
        return Http1HeadParser.parseResponse(buf(s), MAX);
    }

    /**
     * Parses {@code wire} from every prefix: null (nothing consumed) until the last byte of the
     * head, then the same head whatever follows it.
     */
    static Http1Head parseAtEverySplit(String wire, boolean request, String after) throws Http1ParseException {
        for (int k = 0; k < wire.length(); k++) {
            ByteBuf prefix = bufAt("junk", wire.substring(0, k));
            Http1Head h = parse(prefix, request);
            assertThat(h).as("prefix of %d bytes", k).isNull();
            assertThat(prefix.readerIndex()).isEqualTo(4);
        }
        ByteBuf whole = bufAt("junk", wire + after);
        Http1Head h = parse(whole, request);
        assertThat(h).isNotNull();
        assertThat(h.length()).isEqualTo(wire.length());
        assertThat(whole.readerIndex()).isEqualTo(4);
        assertThat(parse(buf(wire), request)).isEqualTo(h);
        return h;
    }

    private static Http1Head parse(ByteBuf b, boolean request) throws Http1ParseException {
        return request ? Http1HeadParser.parseRequest(b, MAX) : Http1HeadParser.parseResponse(b, MAX);
    }

    @Test
    void curlProxyRequest() throws Exception {
        Http1Head h = parseAtEverySplit(Fixtures.CURL_PROXY_POST, true, "x=1GET / HTTP/1.1\r\n");
        assertThat(h.request()).isTrue();
        assertThat(h.method()).isEqualTo("POST");
        assertThat(h.target()).isEqualTo("http://example.test/a?b=1");
        assertThat(h.version()).isEqualTo("HTTP/1.1");
        assertThat(h.status()).isZero();
        assertThat(h.reason()).isNull();
        assertThat(h.headers()).containsExactly(
                new Http1Header("Host", "example.test"),
                new Http1Header("User-Agent", "curl/7.88.1"),
                new Http1Header("Accept", "*/*"),
                new Http1Header("Proxy-Connection", "Keep-Alive"),
                new Http1Header("X-Empty", ""),
                new Http1Header("Content-Length", "3"),
                new Http1Header("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(h.length()).isEqualTo(209);
    }

    @Test
    void curlConnect() throws Exception {
        Http1Head h = parseAtEverySplit(Fixtures.CURL_CONNECT, true, "\u0016\u0003\u0001\u0002\u0000");
        assertThat(h.method()).isEqualTo("CONNECT");
        assertThat(h.target()).isEqualTo("example.test:443");
        assertThat(h.header("host")).isEqualTo("example.test:443");
    }

    @Test
    void nginxResponse() throws Exception {
        Http1Head h = parseAtEverySplit(Fixtures.NGINX_CHUNKED_HEAD, false, Fixtures.CHUNKED_BODY);
        assertThat(h.request()).isFalse();
        assertThat(h.method()).isNull();
        assertThat(h.target()).isNull();
        assertThat(h.version()).isEqualTo("HTTP/1.1");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.reason()).isEqualTo("OK");
        assertThat(h.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(h.headers()).hasSize(5);
    }

    @Test
    void targetForms() throws Exception {
        assertThat(request("GET /where?q=now HTTP/1.1\r\nHost: a\r\n\r\n").target()).isEqualTo("/where?q=now");
        assertThat(request("GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\n\r\n").target())
                .isEqualTo("http://www.example.org/pub/WWW/TheProject.html");
        assertThat(request("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n").target()).isEqualTo("[2001:db8::1]:8443");
        Http1Head options = request("OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n");
        assertThat(options.method()).isEqualTo("OPTIONS");
        assertThat(options.target()).isEqualTo("*");
        // bytes beyond ASCII are kept, one char per byte
        assertThat(request("GET /caf\u00c3\u00a9 HTTP/1.0\r\n\r\n").target()).isEqualTo("/caf\u00c3\u00a9");
    }

    @Test
    void versionsAreReportedAsSent() throws Exception {
        assertThat(request("GET / HTTP/1.0\r\n\r\n").version()).isEqualTo("HTTP/1.0");
        assertThat(request("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").version()).isEqualTo("HTTP/2.0");
        assertThat(response("HTTP/1.0 404 Not Found\r\n\r\n").version()).isEqualTo("HTTP/1.0");
    }

    @Test
    void statusLineReasonForms() throws Exception {
        Http1Head noReason = response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
        assertThat(noReason.status()).isEqualTo(200);
        assertThat(noReason.reason()).isEmpty();
        assertThat(response("HTTP/1.1 204 \r\n\r\n").reason()).isEmpty();
        assertThat(response("HTTP/1.1 500 Internal  Server\tError \r\n\r\n").reason()).isEqualTo("Internal  Server\tError ");
        assertThat(response("HTTP/1.1 999 Custom\r\n\r\n").status()).isEqualTo(999);
        assertThat(response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n").length()).isEqualTo(25);
        parseAtEverySplit("HTTP/1.1 200\r\n\r\n", false, "");
    }

    @Test
    void bareLfLineEndings() throws Exception {
        String lf = "GET / HTTP/1.1\nHost: a\nAccept: */*\n\n";
        Http1Head h = parseAtEverySplit(lf, true, "GET /next HTTP/1.1\n\n");
        assertThat(h.headers()).containsExactly(new Http1Header("Host", "a"), new Http1Header("Accept", "*/*"));
        assertThat(h.length()).isEqualTo(lf.length());
        String mixed = "HTTP/1.1 200 OK\nContent-Length: 2\r\n\nok";
        assertThat(parseAtEverySplit(mixed.substring(0, mixed.length() - 2), false, "ok").length()).isEqualTo(36);
        assertThat(response("HTTP/1.1 200 OK\r\nA: b\n\r\n").length()).isEqualTo(24);
    }

    @Test
    void leadingEmptyLinesBeforeARequestAreSkippedAndCounted() throws Exception {
        String wire = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
        Http1Head h = parseAtEverySplit(wire, true, "");
        assertThat(h.method()).isEqualTo("GET");
        assertThat(h.length()).isEqualTo(wire.length());
    }

    @Test
    void fieldValuesAreTrimmedAndKeptVerbatimInside() throws Exception {
        Http1Head h = request("GET / HTTP/1.1\r\n"
                + "A:   spaced value \t \r\n"
                + "B:\tx\u0001y\u007f\u00ff\r\n"
                + "c-d_e.f!#$%&'*+^`|~9:z\r\n"
                + "Empty:    \r\n"
                + "\r\n");
        assertThat(h.headers()).containsExactly(
                new Http1Header("A", "spaced value"),
                new Http1Header("B", "x\u0001y\u007f\u00ff"),
                new Http1Header("c-d_e.f!#$%&'*+^`|~9", "z"),
                new Http1Header("Empty", ""));
    }

    @Test
    void headerLookups() throws Exception {
        Http1Head h = request("GET / HTTP/1.1\r\n"
                + "Connection: keep-alive, Upgrade\r\n"
                + "Upgrade: websocket\r\n"
                + "X-Multi: one\r\n"
                + "connection: ,TE ,, \r\n"
                + "x-multi: two\r\n"
                + "\r\n");
        assertThat(h.header("X-MULTI")).isEqualTo("one");
        assertThat(h.values("x-multi")).containsExactly("one", "two");
        assertThat(h.values("absent")).isEmpty();
        assertThat(h.header("absent")).isNull();
        assertThat(h.tokens("Connection")).containsExactly("keep-alive", "Upgrade", "TE");
        assertThat(h.hasToken("connection", "upgrade")).isTrue();
        assertThat(h.hasToken("Connection", "te")).isTrue();
        assertThat(h.hasToken("Connection", "close")).isFalse();
        assertThat(h.hasToken("Upgrade", "WebSocket")).isTrue();
        assertThat(h.hasToken("Absent", "x")).isFalse();
        assertThat(h.persistent()).isTrue();
    }

    @Test
    void persistence() throws Exception {
        assertThat(request("GET / HTTP/1.1\r\n\r\n").persistent()).isTrue();
        assertThat(request("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").persistent()).isFalse();
        assertThat(request("GET / HTTP/1.0\r\n\r\n").persistent()).isFalse();
        assertThat(response("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n").persistent()).isTrue();
    }

    @Test
    void headsAreImmutable() throws Exception {
        Http1Head h = request("GET / HTTP/1.1\r\nA: b\r\n\r\n");
        assertThatThrownBy(() -> h.headers().add(new Http1Header("x", "y"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void maxHeadIsInclusive() throws Exception {
        String wire = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"; // 27 bytes
        assertThat(Http1HeadParser.parseRequest(buf(wire), 27).length()).isEqualTo(27);
        assertThat(Http1HeadParser.parseRequest(buf(wire + "GET"), 27).length()).isEqualTo(27);
        assertThat(Http1HeadParser.parseRequest(buf(wire.substring(0, 26)), 27)).isNull();
        Http1ParseException e = catchThrowableOfType(Http1ParseException.class,
                () -> Http1HeadParser.parseRequest(buf(wire), 26));
        assertThat(e).hasMessage("head larger than 26 bytes (offset 26)");
        assertThat(e.offset()).isEqualTo(26);
        // incomplete but already at the limit: no point in waiting
        assertThat(catchThrowableOfType(Http1ParseException.class,
                () -> Http1HeadParser.parseRequest(buf(wire.substring(0, 26)), 26))).hasMessage("head larger than 26 bytes (offset 26)");
        assertThat(Http1HeadParser.parseRequest(buf(wire.substring(0, 25)), 26)).isNull();
        // leading empty lines count
        assertThat(catchThrowableOfType(Http1ParseException.class,
                () -> Http1HeadParser.parseRequest(buf("\r\n" + wire), 28))).hasMessage("head larger than 28 bytes (offset 28)");
        assertThatThrownBy(() -> Http1HeadParser.parseRequest(buf(wire), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultMaxHeadAcceptsA64KiBHead() throws Exception {
        String start = "GET / HTTP/1.1\r\nX: ";
        String end = "\r\n\r\n";
        String big = start + "a".repeat(MAX - start.length() - end.length()) + end;
        assertThat(big).hasSize(MAX);
        assertThat(request(big).length()).isEqualTo(MAX);
        String tooBig = start + "a".repeat(MAX) + end;
        assertThat(catchThrowableOfType(Http1ParseException.class, () -> request(tooBig)))
                .hasMessage("head larger than 65536 bytes (offset 65536)");
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nX-Bad : 1\r\n\r\n",
                        "header line 3: space before colon", 43),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nX-Bad\t: 1\r\n\r\n", "header line 2: space before colon", 30),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n",
                        "header line 2: starts with whitespace (obs-fold continuation line)", 25),
                Arguments.of("GET / HTTP/1.1\r\n Host: a\r\n\r\n",
                        "header line 1: starts with whitespace (obs-fold continuation line)", 16),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n", "header line 1: NUL in field value", 23),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "header line 1: CR in field value", 23),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", "header line 1: CR in field value", 23),
                Arguments.of("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", "header line 1: invalid character 0x28 in field name", 18),
                Arguments.of("GET / HTTP/1.1\r\nHo st: a\r\n\r\n", "header line 1: invalid character 0x20 in field name", 18),
                Arguments.of("GET / HTTP/1.1\r\nH\u00e9: a\r\n\r\n", "header line 1: invalid character 0xE9 in field name", 17),
                Arguments.of("GET / HTTP/1.1\r\n: a\r\n\r\n", "header line 1: empty field name", 16),
                Arguments.of("GET / HTTP/1.1\r\nHost a\r\n\r\n", "header line 1: invalid character 0x20 in field name", 20),
                Arguments.of("GET / HTTP/1.1\r\nHost\r\n\r\n", "header line 1: missing colon", 20),
                Arguments.of("GET /\r\n\r\n", "request line: missing HTTP version", 5),
                Arguments.of("GET / \r\n\r\n", "request line: invalid HTTP version \"\"", 6),
                Arguments.of("GET / HTTP/1.1 \r\n\r\n", "request line: invalid HTTP version \"HTTP/1.1 \"", 6),
                Arguments.of("GET / http/1.1\r\n\r\n", "request line: invalid HTTP version \"http/1.1\"", 6),
                Arguments.of("GET / HTTP/1.10\r\n\r\n", "request line: invalid HTTP version \"HTTP/1.10\"", 6),
                Arguments.of("GET  / HTTP/1.1\r\n\r\n", "request line: empty request target", 4),
                Arguments.of("GET /a\u0000b HTTP/1.1\r\n\r\n", "request line: invalid character 0x00 in request target", 6),
                Arguments.of("GET /a\tb HTTP/1.1\r\n\r\n", "request line: invalid character 0x09 in request target", 6),
                Arguments.of("GET\r\n\r\n", "request line: missing request target", 3),
                Arguments.of(" GET / HTTP/1.1\r\n\r\n", "request line: empty method", 0),
                Arguments.of("G\rET / HTTP/1.1\r\n\r\n", "request line: invalid character 0x0D in method", 1),
                Arguments.of("GE(T / HTTP/1.1\r\n\r\n", "request line: invalid character 0x28 in method", 2),
                Arguments.of("\r\n\r\nGE\u0000T / HTTP/1.1\r\n\r\n", "request line: invalid character 0x00 in method", 6),
                // a TLS ClientHello sent to the plain HTTP port
                Arguments.of("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003", "request line: invalid character 0x16 in method", 0));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void malformedRequestIsRejectedWithItsOffset(String wire, String problem, int offset) {
        assertRejectedConsistently(wire, true, problem, offset);
    }

    static Stream<Arguments> malformedResponses() {
        return Stream.of(
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", "header line 1: space before colon", 31),
                Arguments.of("HTTP/1.1 200 OK\r\nA: b\r\n\tc\r\n\r\n",
                        "header line 2: starts with whitespace (obs-fold continuation line)", 23),
                Arguments.of("HTTP/1.1\r\n\r\n", "status line: missing status code", 8),
                Arguments.of("HTTP/1.1 \r\n\r\n", "status line: invalid status code \"\"", 9),
                Arguments.of("HTTP/1.1 20\r\n\r\n", "status line: invalid status code \"20\"", 9),
                Arguments.of("HTTP/1.1 2000 OK\r\n\r\n", "status line: invalid status code \"2000\"", 9),
                Arguments.of("HTTP/1.1 2x0 OK\r\n\r\n", "status line: invalid status code \"2x0\"", 9),
                Arguments.of("HTTP/1.1 099 Low\r\n\r\n", "status line: status code 099 out of range", 9),
                Arguments.of("HTTP/1.1 200 O\u0000K\r\n\r\n", "status line: invalid character 0x00 in reason phrase", 14),
                Arguments.of("HTTP/1.1 200 O\rK\r\n\r\n", "status line: invalid character 0x0D in reason phrase", 14),
                Arguments.of("HTTP/1.1  200 OK\r\n\r\n", "status line: invalid status code \"\"", 9),
                Arguments.of("HTTP/11 200 OK\r\n\r\n", "status line: invalid HTTP version \"HTTP/11\"", 0),
                Arguments.of("HTTP/1.1\t200 OK\r\n\r\n", "status line: invalid HTTP version \"HTTP/1.1\\x09200\"", 0),
                Arguments.of("HTTX/1.1 200 OK\r\n\r\n", "status line: does not start with HTTP/", 3),
                Arguments.of("\r\nHTTP/1.1 200 OK\r\n\r\n", "status line: does not start with HTTP/", 0),
                Arguments.of("ICY 200 OK\r\n\r\n", "status line: does not start with HTTP/", 0),
                Arguments.of("HTTP\r\n\r\n", "status line: does not start with HTTP/", 4));
    }

    @ParameterizedTest
    @MethodSource("malformedResponses")
    void malformedResponseIsRejectedWithItsOffset(String wire, String problem, int offset) {
        assertRejectedConsistently(wire, false, problem, offset);
    }

    /**
     * The whole message, and the message behind 3 junk bytes the reader index skips, give the
     * exception; every prefix gives null or the very same exception (never another one).
     */
    private static void assertRejectedConsistently(String wire, boolean request, String problem, int offset) {
        Http1ParseException e = catchThrowableOfType(Http1ParseException.class, () -> parse(buf(wire), request));
        assertThat(e).as("whole message").isNotNull();
        assertThat(e.problem()).isEqualTo(problem);
        assertThat(e.offset()).isEqualTo(offset);
        assertThat(e).hasMessage(problem + " (offset " + offset + ")");
        Http1ParseException shifted = catchThrowableOfType(Http1ParseException.class, () -> parse(bufAt("xyz", wire), request));
        assertThat(shifted).hasMessage(e.getMessage());
        for (int k = 0; k < wire.length(); k++) {
            ByteBuf prefix = buf(wire.substring(0, k));
            try {
                assertThat(parse(prefix, request)).as("prefix of %d bytes", k).isNull();
            } catch (Http1ParseException p) {
                assertThat(p).as("prefix of %d bytes", k).hasMessage(e.getMessage());
            }
        }
    }

    @Test
    void parseNeverConsumes() throws Exception {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(1);
        b.writeBytes(Fixtures.bytes(Fixtures.CURL_CONNECT));
        assertThatThrownBy(() -> Http1HeadParser.parseRequest(b, MAX)).isInstanceOf(Http1ParseException.class);
        assertThat(b.readerIndex()).isZero();
        b.readerIndex(1);
        Http1Head h = Http1HeadParser.parseRequest(b, MAX);
        assertThat(b.readerIndex()).isOne();
        assertThat(b.writerIndex()).isEqualTo(1 + h.length());
        assertThat(List.of(h.method(), h.target())).containsExactly("CONNECT", "example.test:443");
    }

    @Test
    void lineCacheGivesTheSameValuesForLinesSeenBefore() throws Exception {
        Http1LineCache cache = new Http1LineCache();
        String first = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 21 Nov 2026 22:01:25 GMT\r\n"
                + "Content-Length: 1024\r\nConnection: keep-alive\r\nAccept-Ranges: bytes\r\n\r\n";
        String second = first.replace("22:01:25", "22:01:26");
        Http1Head a = Http1HeadParser.parseResponse(buf(first), MAX, cache);
        Http1Head b = Http1HeadParser.parseResponse(buf(second), MAX, cache);
        assertThat(b).isEqualTo(Http1HeadParser.parseResponse(buf(second), MAX));
        for (int i = 0; i < a.headers().size(); i++) {
            if (a.headers().get(i).name().equals("Date")) {
                assertThat(b.headers().get(i)).isNotEqualTo(a.headers().get(i));
            } else {
                assertThat(b.headers().get(i)).as(a.headers().get(i).toString()).isSameAs(a.headers().get(i));
            }
        }
        assertThat(b.reason()).isSameAs(a.reason());
        // a line that parsed as a header is not taken for a start line, nor the other way round
        Http1Head request = Http1HeadParser.parseRequest(buf("GET / HTTP/1.1\r\nServer: nginx/1.22.1\r\n\r\n"), MAX, cache);
        assertThat(request.headers().get(0)).isSameAs(a.headers().get(0));
        assertThatThrownBy(() -> Http1HeadParser.parseResponse(buf("Server: nginx/1.22.1\r\n\r\n"), MAX, cache))
                .isInstanceOf(Http1ParseException.class).hasMessageStartingWith("status line: does not start with HTTP/");
    }

    @Test
    void theFirstLineFeedIsFoundEightBytesAtATimeExactlyWhereAByteAtATimeFindsIt() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] a = new byte[random.nextInt(40)];
            for (int i = 0; i < a.length; i++) {
                // LFs rare or dense, and the bytes around LF whose borrow could flag a wrong byte
                int k = random.nextInt(10);
                a[i] = (byte) (k == 0 ? '\n' : k == 1 ? 0x0b : k == 2 ? 0x8a : k == 3 ? 0x09 : k == 4 ? 0 : random.nextInt(256));
                if (round % 3 == 0 && a[i] == '\n') {
                    a[i] = 'x';
                }
            }
            int from = a.length == 0 ? 0 : random.nextInt(a.length + 1);
            int to = from + random.nextInt(a.length - from + 1);
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (a[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(Http1HeadParser.indexOfLf(a, from, to)).as("round %d", round).isEqualTo(expected);
        }
    }
}
