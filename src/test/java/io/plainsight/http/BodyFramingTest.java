package io.plainsight.http;

import static io.plainsight.http.Fixtures.buf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.plainsight.http.BodyFraming.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class BodyFramingTest {
    static Http1Head request(String headers) throws Http1ParseException {
        return Http1HeadParser.parseRequest(buf("POST /x HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n"), 65536);
    }

    static Http1Head response(String statusLine, String headers) throws Http1ParseException {
        return Http1HeadParser.parseResponse(buf(statusLine + "\r\n" + headers + "\r\n"), 65536);
    }

    static BodyFraming req(String headers) throws Http1ParseException {
        return BodyFraming.forRequest(request(headers));
    }

    static BodyFraming resp(String status, String headers, String method) throws Http1ParseException {
        return BodyFraming.forResponse(response("HTTP/1.1 " + status, headers), method);
    }

    @Test
    void requestWithoutFramingHeadersHasNoBody() throws Exception {
        assertThat(req("")).isEqualTo(BodyFraming.none()).isEqualTo(new BodyFraming(Kind.NONE, 0));
        assertThat(BodyFraming.forRequest(Http1HeadParser.parseRequest(buf(Fixtures.CURL_CONNECT), 65536)))
                .isEqualTo(BodyFraming.none());
    }

    @Test
    void requestContentLength() throws Exception {
        assertThat(req("Content-Length: 3\r\n")).isEqualTo(new BodyFraming(Kind.LENGTH, 3));
        assertThat(req("Content-Length: 0\r\n")).isEqualTo(BodyFraming.ofLength(0));
        assertThat(req("Content-Length: 007\r\n")).isEqualTo(BodyFraming.ofLength(7));
        assertThat(req("Content-Length: 42\r\ncontent-length: 42\r\n")).isEqualTo(BodyFraming.ofLength(42));
        assertThat(req("Content-Length: 42, 42,42\r\n")).isEqualTo(BodyFraming.ofLength(42));
        assertThat(req("Content-Length: 9223372036854775807\r\n")).isEqualTo(BodyFraming.ofLength(Long.MAX_VALUE));
    }

    static Stream<Arguments> badRequestFraming() {
        return Stream.of(
                Arguments.of("Content-Length: 3\r\nContent-Length: 4\r\n", "conflicting Content-Length values \"3\", \"4\""),
                Arguments.of("Content-Length: 3, 4\r\n", "conflicting Content-Length values \"3, 4\""),
                Arguments.of("Content-Length: -1\r\n", "invalid Content-Length \"-1\": not a decimal number"),
                Arguments.of("Content-Length: +1\r\n", "invalid Content-Length \"+1\": not a decimal number"),
                Arguments.of("Content-Length: 0x10\r\n", "invalid Content-Length \"0x10\": not a decimal number"),
                Arguments.of("Content-Length: 1 2\r\n", "invalid Content-Length \"1 2\": not a decimal number"),
                Arguments.of("Content-Length: \u000b1\r\n", "invalid Content-Length \"\\x0B1\": not a decimal number"),
                Arguments.of("Content-Length:\r\n", "invalid Content-Length \"\": empty"),
                Arguments.of("Content-Length: 1,\r\n", "invalid Content-Length \"1,\": empty"),
                Arguments.of("Content-Length: 9223372036854775808\r\n", "invalid Content-Length \"9223372036854775808\": too large"),
                Arguments.of("Transfer-Encoding: gzip\r\n",
                        "request Transfer-Encoding \"gzip\" does not end with chunked: the body length cannot be determined"),
                Arguments.of("Transfer-Encoding: chunked, gzip\r\n",
                        "request Transfer-Encoding \"chunked, gzip\" does not end with chunked: the body length cannot be determined"),
                Arguments.of("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                        "request Transfer-Encoding \"chunked, identity\" does not end with chunked: the body length cannot be determined"),
                Arguments.of("Transfer-Encoding:\r\nContent-Length: 1\r\n",
                        "request Transfer-Encoding \"\" does not end with chunked: the body length cannot be determined"));
    }

    @ParameterizedTest
    @MethodSource("badRequestFraming")
    void badRequestFramingIsRejected(String headers, String message) {
        Http1ParseException e = catchThrowableOfType(Http1ParseException.class, () -> req(headers));
        assertThat(e).as(headers).isNotNull().hasMessage(message);
        assertThat(e.offset()).isEqualTo(-1);
        assertThat(e.problem()).isEqualTo(message);
    }

    @Test
    void chunkedWinsOverContentLength() throws Exception {
        assertThat(req("Transfer-Encoding: chunked\r\n")).isEqualTo(BodyFraming.chunked()).isEqualTo(new BodyFraming(Kind.CHUNKED, -1));
        assertThat(req("Transfer-Encoding: gzip, CHUNKED\r\n")).isEqualTo(BodyFraming.chunked());
        assertThat(req("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")).isEqualTo(BodyFraming.chunked());
        // both present: framed as chunked, even if the Content-Length is invalid (RFC 9112 6.3 rule 3)
        assertThat(req("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")).isEqualTo(BodyFraming.chunked());
        assertThat(req("Transfer-Encoding: chunked\r\nContent-Length: nonsense\r\n")).isEqualTo(BodyFraming.chunked());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // status | headers                                  | request method | kind        | length
        "200 OK   | Content-Length: 5                        | HEAD           | NONE        | 0",
        "200 OK   | Transfer-Encoding: chunked               | HEAD           | NONE        | 0",
        "100 Continue |                                      | POST           | NONE        | 0",
        "103 Early Hints | Link: </s.css>; rel=preload       | GET            | NONE        | 0",
        "101 Switching Protocols | Upgrade: websocket        | GET            | TUNNEL      | -1",
        "101 Switching Protocols | Content-Length: 5         | HEAD           | TUNNEL      | -1",
        "204 No Content | Content-Length: 5                  | DELETE         | NONE        | 0",
        "304 Not Modified | Content-Length: 5                | GET            | NONE        | 0",
        "200 Connection established |                        | CONNECT        | TUNNEL      | -1",
        "200 OK   | Content-Length: 0                        | CONNECT        | TUNNEL      | -1",
        "407 Proxy Authentication Required | Content-Length: 3 | CONNECT      | LENGTH      | 3",
        "502 Bad Gateway |                                   | CONNECT        | UNTIL_CLOSE | -1",
        "200 OK   | Transfer-Encoding: chunked               | GET            | CHUNKED     | -1",
        "200 OK   | Transfer-Encoding: gzip, chunked         | GET            | CHUNKED     | -1",
        "200 OK   | Transfer-Encoding: chunked               |                | CHUNKED     | -1",
        "200 OK   | Transfer-Encoding: gzip                  | GET            | UNTIL_CLOSE | -1",
        "200 OK   | Transfer-Encoding: chunked, gzip         | GET            | UNTIL_CLOSE | -1",
        "200 OK   | Content-Length: 12                       | GET            | LENGTH      | 12",
        "200 OK   | Content-Length: 12                       | head           | LENGTH      | 12",
        "404 Not Found | Content-Length: 0                   | GET            | LENGTH      | 0",
        "200 OK   |                                          | GET            | UNTIL_CLOSE | -1",
        "200 OK   |                                          |                | UNTIL_CLOSE | -1",
        "999 Odd  | Content-Length: 1                        | GET            | LENGTH      | 1",
    })
    void responseFraming(String status, String header, String method, Kind kind, long length) throws Exception {
        BodyFraming f = resp(status, header == null ? "" : header + "\r\n", method);
        assertThat(f).isEqualTo(new BodyFraming(kind, length));
    }

    @Test
    void chunkedResponseIgnoresContentLength() throws Exception {
        assertThat(resp("200 OK", "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n", "GET")).isEqualTo(BodyFraming.chunked());
        assertThat(resp("200 OK", "Content-Length: x\r\nTransfer-Encoding: gzip\r\n", "GET")).isEqualTo(BodyFraming.untilClose());
        Http1Head nginx = Http1HeadParser.parseResponse(buf(Fixtures.NGINX_CHUNKED_HEAD), 65536);
        assertThat(BodyFraming.forResponse(nginx, "GET")).isEqualTo(BodyFraming.chunked());
    }

    @Test
    void invalidResponseContentLengthIsAnError() {
        assertThat(catchThrowableOfType(Http1ParseException.class, () -> resp("200 OK", "Content-Length: 1\r\nContent-Length: 2\r\n", "GET")))
                .hasMessage("conflicting Content-Length values \"1\", \"2\"");
        assertThat(catchThrowableOfType(Http1ParseException.class, () -> resp("200 OK", "Content-Length: abc\r\n", "GET")))
                .hasMessage("invalid Content-Length \"abc\": not a decimal number");
    }

    @Test
    void framingValuesAreChecked() {
        assertThatThrownBy(() -> new BodyFraming(Kind.LENGTH, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyFraming(Kind.NONE, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BodyFraming(Kind.CHUNKED, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BodyFraming.ofLength(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(BodyFraming.untilClose()).isEqualTo(new BodyFraming(Kind.UNTIL_CLOSE, -1));
        assertThat(BodyFraming.tunnel()).isEqualTo(new BodyFraming(Kind.TUNNEL, -1));
    }
}
