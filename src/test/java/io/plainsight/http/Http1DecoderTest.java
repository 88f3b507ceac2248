package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.http.Conversation.Feed;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http1DecoderTest {
    private static final int RANDOMS = 25;

    static String check(Conversation c, String expected) {
        return check(c, DecodeOptions.defaults(), true, expected);
    }

    /** Decodes {@code c} under every feed; each must give exactly {@code expected}. */
    static String check(Conversation c, DecodeOptions options, boolean decodeAfterSwitch, String expected) {
        String first = null;
        for (Feed f : Feed.all(RANDOMS)) {
            String text = c.decode(f, options, "https", decodeAfterSwitch).text();
            first = first == null ? text : first;
            assertThat(text).as(f.toString()).isEqualTo(expected);
        }
        return first;
    }

    @Test
    void keepAliveGetsWithLengthAndChunkedResponses() {
        Conversation c = new Conversation()
                .client("GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                .client("GET /b?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Fixtures.CHUNKED_BODY);
        check(c, """
                exchange
                  request GET /a HTTP/1.1 url=https://example.test/a @1-1 head=39 body=0/0
                    Host: example.test
                  response 200 "OK" HTTP/1.1 @2-2 head=38 body=5/5
                    Content-Length: 5
                    body "hello"
                exchange
                  request GET /b?x=1 HTTP/1.1 url=https://example.test/b?x=1 @3-3 head=43 body=0/0
                    Host: example.test
                  response 200 "OK" HTTP/1.1 @4-4 head=47 body=95/24
                    Transfer-Encoding: chunked
                    body "Wikipedia in \\r\\n\\r\\nchunks."
                    trailer Expires: Wed, 21 Oct 2015 07:28:00 GMT
                """);
    }

    @Test
    void pipelinedRequestsWithHeadAnswered() {
        Conversation c = new Conversation()
                .client("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n")
                .client("POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nx=1")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#1")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                .server("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n#3");
        check(c, """
                exchange
                  request GET /1 HTTP/1.1 url=https://h/1 @1-1 head=28 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @3-3 head=38 body=2/2
                    Content-Length: 2
                    body "#1"
                exchange
                  request HEAD /2 HTTP/1.1 url=https://h/2 @1-1 head=29 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @4-4 head=41 body=0/0
                    Content-Length: 1000
                exchange
                  request POST /3 HTTP/1.1 url=https://h/3 @2-2 head=48 body=3/3
                    Host: h
                    Content-Length: 3
                    body "x=1"
                  response 201 "Created" HTTP/1.1 @5-5 head=43 body=2/2
                    Content-Length: 2
                    body "#3"
                """);
    }

    @Test
    void chunkedRequestWithExtensionsAndTrailers() {
        Conversation c = new Conversation()
                .client("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: Digest\r\n\r\n")
                .client("3;ext=\"a b\"\r\nabc\r\n")
                .client("A\r\n0123456789\r\n0\r\nDigest: sha-256=xyz\r\nX-Empty:\r\n\r\n")
                .server("HTTP/1.1 204 No Content\r\n\r\n");
        check(c, """
                exchange
                  request PUT /up HTTP/1.1 url=https://h/up @1-3 head=74 body=69/13
                    Host: h
                    Transfer-Encoding: chunked
                    Trailer: Digest
                    body "abc0123456789"
                    trailer Digest: sha-256=xyz
                    trailer X-Empty:
                  response 204 "No Content" HTTP/1.1 @4-4 head=27 body=0/0
                """);
    }

    @Test
    void expect100ContinueAndEarlyHints() {
        Conversation c = new Conversation()
                .client("POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
                .server("HTTP/1.1 100 Continue\r\n\r\n")
                .clientAfter("a=b&")
                .server("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        check(c, """
                exchange
                  request POST /form HTTP/1.1 url=https://h/form @1-3 head=73 body=4/4
                    Host: h
                    Content-Length: 4
                    Expect: 100-continue
                    body "a=b&"
                  interim 100 "Continue" HTTP/1.1 @2-2 head=25 body=0/0
                  interim 103 "Early Hints" HTTP/1.1 @4-4 head=57 body=0/0
                    Link: </s.css>; rel=preload
                  response 200 "OK" HTTP/1.1 @5-5 head=38 body=2/2
                    Content-Length: 2
                    body "ok"
                """);
    }

    @Test
    void http10ResponseDelimitedByClose() {
        Conversation c = new Conversation()
                .client("GET /old HTTP/1.0\r\n\r\n")
                .server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part, ")
                .server("second part");
        check(c, """
                exchange
                  request GET /old HTTP/1.0 url=/old @1-1 head=21 body=0/0
                  response 200 "OK" HTTP/1.0 @2-3 head=45 body=23/23
                    Content-Type: text/plain
                    body "first part, second part"
                  note response delimited by the connection close
                """);
    }

    @Test
    void noBodyFor204And304AndHead() {
        Conversation c = new Conversation()
                .client("DELETE /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"e\"\r\n\r\n")
                .client("HEAD /z HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n")
                .server("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nETag: \"e\"\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        check(c, """
                exchange
                  request DELETE /x HTTP/1.1 url=https://h/x @1-1 head=31 body=0/0
                    Host: h
                  response 204 "No Content" HTTP/1.1 @3-3 head=46 body=0/0
                    Content-Length: 7
                exchange
                  request GET /y HTTP/1.1 url=https://h/y @1-1 head=48 body=0/0
                    Host: h
                    If-None-Match: "e"
                  response 304 "Not Modified" HTTP/1.1 @4-4 head=68 body=0/0
                    Transfer-Encoding: chunked
                    ETag: "e"
                exchange
                  request HEAD /z HTTP/1.1 url=https://h/z @2-2 head=29 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @5-5 head=47 body=0/0
                    Transfer-Encoding: chunked
                """);
    }

    static final String WS_REQUEST = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    static final String WS_101 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    /** RFC 6455 5.7: an unmasked "Hello" from the server, a masked "Hello" from the client. */
    static final String WS_SERVER_HELLO = "\u0081\u0005Hello";
    static final String WS_CLIENT_HELLO = "\u0081\u0085\u0037\u00fa\u0021\u003d\u007f\u009f\u004d\u0051\u0058";

    @Test
    void webSocketUpgradeHandsOverBothDirections() {
        Conversation c = new Conversation()
                .client(WS_REQUEST)
                .server(WS_101 + WS_SERVER_HELLO)
                .clientAfter(WS_CLIENT_HELLO)
                .server(WS_SERVER_HELLO);
        check(c, """
                exchange
                  request GET /chat HTTP/1.1 url=https://server.example.com/chat @1-1 head=231 body=0/0
                    Host: server.example.com
                    Upgrade: websocket
                    Connection: Upgrade
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
                    Sec-WebSocket-Version: 13
                    Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=175 body=0/0
                    Upgrade: websocket
                    Connection: Upgrade
                    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
                    Sec-WebSocket-Extensions: permessage-deflate
                  note upgraded to websocket
                switch websocket(extensions=permessage-deflate)
                  < @2 "\\x81\\x05Hello"
                  > @3 "\\x81\\x857\\xFA!=\\x7F\\x9FMQX"
                  < @4 "\\x81\\x05Hello"
                  end
                """);
    }

    @Test
    void webSocketNotDecodedWhenTheHandlerDeclines() {
        Conversation c = new Conversation()
                .client(WS_REQUEST)
                .server(WS_101 + WS_SERVER_HELLO)
                .clientAfter(WS_CLIENT_HELLO);
        check(c, DecodeOptions.defaults(), false, """
                exchange
                  request GET /chat HTTP/1.1 url=https://server.example.com/chat @1-1 head=231 body=0/0
                    Host: server.example.com
                    Upgrade: websocket
                    Connection: Upgrade
                    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
                    Sec-WebSocket-Version: 13
                    Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=175 body=0/0
                    Upgrade: websocket
                    Connection: Upgrade
                    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
                    Sec-WebSocket-Extensions: permessage-deflate
                  note upgraded to websocket
                  note the bytes after the switch are not decoded
                switch websocket(extensions=permessage-deflate)
                """);
    }

    @Test
    void h2cUpgradeGivesTheRequestAsStreamOne() {
        Conversation c = new Conversation()
                .client("GET /h2 HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
                .server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                        + "\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000")
                .clientAfter("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000");
        check(c, """
                exchange
                  request GET /h2 HTTP/1.1 url=https://h/h2 @1-1 head=122 body=0/0
                    Host: h
                    Connection: Upgrade, HTTP2-Settings
                    Upgrade: h2c
                    HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=71 body=0/0
                    Connection: Upgrade
                    Upgrade: h2c
                  note upgraded to h2c
                switch h2c(GET /h2)
                  < @2 "\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\x00\\x00"
                  > @3 "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\x00\\x00\\x00\\x04\\x00\\x00\\x00\\x00\\x00"
                  end
                """);
    }

    @Test
    void declinedUpgradeReleasesTheHeldBytesAsHttp1() {
        Conversation c = new Conversation()
                .client("GET /1 HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                        + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
                .client("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1")
                .server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
        check(c, """
                exchange
                  request GET /1 HTTP/1.1 url=https://h/1 @1-1 head=121 body=0/0
                    Host: h
                    Connection: Upgrade, HTTP2-Settings
                    Upgrade: h2c
                    HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA
                  response 200 "OK" HTTP/1.1 @3-3 head=38 body=1/1
                    Content-Length: 1
                    body "1"
                exchange
                  request GET /2 HTTP/1.1 url=https://h/2 @2-2 head=28 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @4-4 head=38 body=1/1
                    Content-Length: 1
                    body "2"
                """);
    }

    @Test
    void connectRefusedThenTunnelled() {
        Conversation c = new Conversation()
                .client(Fixtures.CURL_CONNECT)
                .server("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
                        + "Content-Length: 4\r\n\r\ndeny")
                .clientAfter("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n"
                        + "Proxy-Authorization: Basic dTpw\r\n\r\n")
                .client("\u0016\u0003\u0001\u0000\u0005hello")
                .server("HTTP/1.1 200 Connection established\r\n\r\n")
                .server("\u0016\u0003\u0003\u0000\u0002hi");
        check(c, """
                exchange
                  request CONNECT example.test:443 HTTP/1.1 url=example.test:443 @1-1 head=116 body=0/0
                    Host: example.test:443
                    User-Agent: curl/7.88.1
                    Proxy-Connection: Keep-Alive
                  response 407 "Proxy Authentication Required" HTTP/1.1 @2-2 head=102 body=4/4
                    Proxy-Authenticate: Basic realm="p"
                    Content-Length: 4
                    body "deny"
                exchange
                  request CONNECT example.test:443 HTTP/1.1 url=example.test:443 @3-3 head=94 body=0/0
                    Host: example.test:443
                    Proxy-Authorization: Basic dTpw
                  response 200 "Connection established" HTTP/1.1 @5-5 head=39 body=0/0
                  note tunnel to example.test:443
                switch tunnel(example.test:443)
                  > @4 "\\x16\\x03\\x01\\x00\\x05hello"
                  < @6 "\\x16\\x03\\x03\\x00\\x02hi"
                  end
                """);
    }

    @Test
    void connectionEndsInsideMessages() {
        check(new Conversation()
                .client("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123"), """
                exchange
                  request POST /a HTTP/1.1 url=https://h/a @1-1 head=49 body=4/4 INCOMPLETE
                    Host: h
                    Content-Length: 10
                    body "0123"
                  note request cut short: the connection closed after 4 of 10 body bytes
                  note response missing: the connection closed
                """);
        check(new Conversation()
                .client("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"), """
                exchange
                  request GET /a HTTP/1.1 url=https://h/a @1-1 head=28 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @2-2 head=47 body=6/3 INCOMPLETE
                    Transfer-Encoding: chunked
                    body "hel"
                  note response cut short: the connection closed after 6 bytes of its chunked body
                """);
        check(new Conversation()
                .client("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHo")
                .server("HTTP/1.1 200 OK\r\nContent-Le"), """
                exchange
                  request GET /a HTTP/1.1 url=https://h/a @1-1 head=28 body=0/0
                    Host: h
                  note response head cut short: the connection closed after 27 bytes of it
                  note response missing: the connection closed
                undecodable CLIENT_TO_SERVER at 28: request head cut short: the connection closed after 19 bytes of it
                """);
        check(new Conversation()
                .client("GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\n"), """
                exchange
                  request GET /a HTTP/1.1 url=https://h/a @1-1 head=28 body=0/0
                    Host: h
                  note response missing: the connection closed
                """);
    }

    @Test
    void responseWithoutRequest() {
        check(new Conversation()
                .server("HTTP/1.1 408 Request Timeout\r\nContent-Length: 7\r\nConnection: close\r\n\r\ntimeout"), """
                exchange
                  request none @0-0 head=0 body=0/0 INCOMPLETE
                  response 408 "Request Timeout" HTTP/1.1 @1-1 head=70 body=7/7
                    Content-Length: 7
                    Connection: close
                    body "timeout"
                  note response without a request
                """);
    }

    @Test
    void nonHttpClientBytesAndTheServersAnswer() {
        check(new Conversation()
                .client("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003")
                .server("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"), """
                exchange
                  request none @0-0 head=0 body=0/0 INCOMPLETE
                  response 400 "Bad Request" HTTP/1.1 @2-2 head=47 body=3/3
                    Content-Length: 3
                    body "bad"
                  note response without a request (the client's bytes are undecodable)
                undecodable CLIENT_TO_SERVER at 0: request line: invalid character 0x16 in method
                """);
    }

    @Test
    void invalidChunkSizeInResponse() {
        check(new Conversation()
                .client("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZ\r\n")
                .client("GET /c HTTP/1.1\r\nHost: h\r\n\r\n"), """
                exchange
                  request GET /a HTTP/1.1 url=https://h/a @1-1 head=28 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @2-2 head=47 body=8/3 INCOMPLETE
                    Transfer-Encoding: chunked
                    body "abc"
                  note response undecodable: response body: invalid character 0x5A in chunk size
                exchange
                  request GET /b HTTP/1.1 url=https://h/b @1-1 head=28 body=0/0
                    Host: h
                  note response missing: the server's bytes are undecodable from offset 55
                exchange
                  request GET /c HTTP/1.1 url=https://h/c @3-3 head=28 body=0/0
                    Host: h
                  note response missing: the server's bytes are undecodable from offset 55
                undecodable SERVER_TO_CLIENT at 55: response body: invalid character 0x5A in chunk size
                """);
    }

    @Test
    void invalidChunkSizeInRequest() {
        check(new Conversation()
                .client("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n-1\r\n")
                .server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), """
                exchange
                  request POST /a HTTP/1.1 url=https://h/a @1-1 head=57 body=7/2 INCOMPLETE
                    Host: h
                    Transfer-Encoding: chunked
                    body "ab"
                  response 400 "Bad Request" HTTP/1.1 @2-2 head=66 body=0/0
                    Content-Length: 0
                    Connection: close
                  note request undecodable: request body: invalid character 0x2D in chunk size
                undecodable CLIENT_TO_SERVER at 64: request body: invalid character 0x2D in chunk size
                """);
    }

    @Test
    void conflictingContentLengthsInRequest() {
        check(new Conversation()
                .client("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                .server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), """
                exchange
                  request POST /a HTTP/1.1 url=https://h/a @1-1 head=67 body=0/0 INCOMPLETE
                    Host: h
                    Content-Length: 3
                    Content-Length: 4
                  response 400 "Bad Request" HTTP/1.1 @2-2 head=47 body=0/0
                    Content-Length: 0
                  note request undecodable: conflicting Content-Length values "3", "4"
                undecodable CLIENT_TO_SERVER at 0: request head: conflicting Content-Length values "3", "4"
                """);
    }

    @Test
    void headerBlockOverTheLimit() {
        String big = "X-Big: " + "a".repeat(70_000) + "\r\n";
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nHost: h\r\n" + big + "\r\n")
                .server("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n"), """
                exchange
                  request none @0-0 head=0 body=0/0 INCOMPLETE
                  response 431 "Request Header Fields Too Large" HTTP/1.1 @2-2 head=67 body=0/0
                    Content-Length: 0
                  note response without a request (the client's bytes are undecodable)
                undecodable CLIENT_TO_SERVER at 65536: request head larger than 65536 bytes
                """);
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 200 OK\r\nX-Pad: " + "b".repeat(100) + "\r\n\r\n"),
                new DecodeOptions(1024, 64), true, """
                exchange
                  request GET / HTTP/1.1 url=https://h/ @1-1 head=27 body=0/0
                    Host: h
                  note response missing: the server's bytes are undecodable from offset 64
                undecodable SERVER_TO_CLIENT at 64: response head larger than 64 bytes
                """);
    }

    @Test
    void bodiesBeyondTheLimitAreCountedNotKept() {
        check(new Conversation()
                .client("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789")
                .server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"),
                new DecodeOptions(4, 1024), true, """
                exchange
                  request POST /a HTTP/1.1 url=https://h/a @1-1 head=49 body=10/10 truncated
                    Host: h
                    Content-Length: 10
                    body "0123"
                  response 200 "OK" HTTP/1.1 @2-2 head=47 body=27/12 truncated
                    Transfer-Encoding: chunked
                    body "abcd"
                """);
    }

    @Test
    void http2PrefaceIsNotHttp1() {
        check(new Conversation().client("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), """
                undecodable CLIENT_TO_SERVER at 0: HTTP/2 connection preface: not HTTP/1
                """);
    }

    @Test
    void earlyResponseBeforeTheRequestBodyEnds() {
        check(new Conversation()
                .client("PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\n0123")
                .server("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
                .client("4567"), """
                exchange
                  request PUT /big HTTP/1.1 url=https://h/big @1-3 head=49 body=8/8
                    Host: h
                    Content-Length: 8
                    body "01234567"
                  response 413 "Content Too Large" HTTP/1.1 @2-2 head=53 body=0/0
                    Content-Length: 0
                """);
    }

    @Test
    void bareLineFeedsLeadingEmptyLinesAbsoluteFormAndBothFramingHeaders() {
        check(new Conversation()
                .client("\r\n\r\nPOST http://other.test:8080/p?q HTTP/1.1\nHost: other.test:8080\n"
                        + "Transfer-Encoding: chunked\nContent-Length: 99\n\n1\nz\n0\n\n")
                .server("HTTP/1.1 200 OK\nContent-Length: 1\n\n!"), """
                exchange
                  request POST http://other.test:8080/p?q HTTP/1.1 url=http://other.test:8080/p?q @1-1 head=114 body=7/1
                    Host: other.test:8080
                    Transfer-Encoding: chunked
                    Content-Length: 99
                    body "z"
                  response 200 "OK" HTTP/1.1 @2-2 head=35 body=1/1
                    Content-Length: 1
                    body "!"
                  note request has both Transfer-Encoding and Content-Length: framed as chunked
                """);
    }

    @Test
    void timestampsAreThoseOfTheEventsHoldingTheFirstAndLastBytes() {
        DecodeRecorder rec = new DecodeRecorder();
        Http1Decoder d = new Http1Decoder(1, rec, DecodeOptions.defaults(), "http", rec);
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 100, Conversation.latin1("GET /a HTTP/1.1\r\nHo"));
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 200, Conversation.latin1("st: h\r\n\r\nGET /b HTTP/1.1\r\n"));
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 300, Conversation.latin1("\r\n"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 400, Conversation.latin1("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 500, Conversation.latin1("cdHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 600, Conversation.latin1("\r\n1\r\nx\r\n0\r\n\r"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 700, Conversation.latin1("\n"));
        d.end(800);
        assertThat(rec.text()).isEqualTo("""
                exchange
                  request GET /a HTTP/1.1 url=http://h/a @100-200 head=28 body=0/0
                    Host: h
                  response 200 "OK" HTTP/1.1 @400-500 head=38 body=4/4
                    Content-Length: 4
                    body "abcd"
                exchange
                  request GET /b HTTP/1.1 url=/b @200-300 head=19 body=0/0
                  response 200 "OK" HTTP/1.1 @500-700 head=47 body=11/1
                    Transfer-Encoding: chunked
                    body "x"
                """);
    }

    @Test
    void atMostMaxWaitingRequestsWaitForResponses() {
        String get = "GET / HTTP/1.1\r\n\r\n"; // 18 bytes
        DecodeRecorder rec = new Conversation().client(get.repeat(Http1Decoder.MAX_WAITING + 1))
                .decode(Feed.whole(), DecodeOptions.defaults(), "http", true);
        assertThat(rec.undecodable).containsExactly(java.util.Map.entry(Direction.CLIENT_TO_SERVER,
                "at " + 18 * Http1Decoder.MAX_WAITING + ": more than 256 requests waiting for their responses"));
        assertThat(rec.exchanges).hasSize(Http1Decoder.MAX_WAITING)
                .allSatisfy(e -> assertThat(e.notes).containsExactly(Http1Decoder.RESPONSE_MISSING));
    }

    @Test
    void bytesHeldAfterAnUpgradeRequestAreBounded() {
        // 38-byte request, then 100 bytes before the response: more than the 64 held at most
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
                .client("x".repeat(100))
                .server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + WS_SERVER_HELLO),
                new DecodeOptions(1024, 64), true, """
                exchange
                  request GET / HTTP/1.1 url=/ @1-1 head=38 body=0/0
                    Upgrade: websocket
                  response 101 "Switching Protocols" HTTP/1.1 @3-3 head=56 body=0/0
                    Upgrade: websocket
                  note upgraded to websocket
                undecodable CLIENT_TO_SERVER at 38: the client sent more than 64 bytes after an Upgrade or CONNECT request before its response
                switch websocket(extensions=null)
                  < @3 "\\x81\\x05Hello"
                  end
                """);
    }

    @Test
    void switchesThatAreNotDecoded() {
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\n\r\nxyz")
                .clientAfter("abc"), """
                exchange
                  request GET / HTTP/1.1 url=https://h/ @1-1 head=27 body=0/0
                    Host: h
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=50 body=0/0
                    Upgrade: foo
                  note 101 Switching Protocols to a request without Upgrade: the rest is not decoded
                """);
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: foo/1, bar\r\n\r\n")
                .server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo/1\r\n\r\nxyz")
                .clientAfter("abc"), """
                exchange
                  request GET / HTTP/1.1 url=https://h/ @1-1 head=48 body=0/0
                    Host: h
                    Upgrade: foo/1, bar
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=52 body=0/0
                    Upgrade: foo/1
                  note upgraded to foo/1: not decoded
                """);
    }

    @Test
    void h2cUpgradeAfterARequestBody() {
        Conversation c = new Conversation()
                .client("POST /h2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nabc")
                .server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
                .clientAfter("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        check(c, """
                exchange
                  request POST /h2 HTTP/1.1 url=https://h/h2 @1-1 head=84 body=3/3
                    Host: h
                    Content-Length: 3
                    Connection: Upgrade
                    Upgrade: h2c
                    body "abc"
                  response 101 "Switching Protocols" HTTP/1.1 @2-2 head=71 body=0/0
                    Connection: Upgrade
                    Upgrade: h2c
                  note upgraded to h2c
                switch h2c(POST /h2)
                  > @3 "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n"
                  end
                """);
        DecodeRecorder rec = c.decode(Feed.bytes(), DecodeOptions.defaults(), "https", true);
        assertThat(rec.upgradeRequest).isSameAs(rec.exchanges.get(0).request);
    }

    @Test
    void responseOfAnotherHttpVersion() {
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
                .server("HTTP/2.0 200 OK\r\n\r\n"), """
                exchange
                  request GET / HTTP/1.1 url=https://h/ @1-1 head=27 body=0/0
                    Host: h
                  note response missing: the server's bytes are undecodable from offset 0
                undecodable SERVER_TO_CLIENT at 0: unsupported HTTP version HTTP/2.0
                """);
    }

    @Test
    void headsCutShortAreCheckedOnceMoreAtTheEnd() {
        // a CR that is not a line end, seen as such only when nothing follows
        check(new Conversation().client("\rX"), """
                undecodable CLIENT_TO_SERVER at 0: request line: invalid character 0x0D in method
                """);
        check(new Conversation().client("GET / HTTP/1.1\r\n\r\n").server("HTT"), """
                exchange
                  request GET / HTTP/1.1 url=/ @1-1 head=18 body=0/0
                  note response head cut short: the connection closed after 3 bytes of it
                  note response missing: the connection closed
                """);
        check(new Conversation().client("GET / HTTP/1.1\r\n\r\n").server("HTTP/1.1 200 OK\r\nBad Name: x\r\n"), """
                exchange
                  request GET / HTTP/1.1 url=/ @1-1 head=18 body=0/0
                  note response missing: the server's bytes are undecodable from offset 20
                undecodable SERVER_TO_CLIENT at 20: response header line 1: invalid character 0x20 in field name
                """);
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheCaller() {
        List<String> undecodable = new java.util.ArrayList<>();
        DecodeListener throwing = new DecodeListener() {
            @Override
            public void exchange(Exchange exchange) {
                throw new IllegalStateException("sink broke");
            }

            @Override
            public void webSocket(WebSocketMessage message) {}

            @Override
            public void undecodable(long connectionId, Direction direction, long offset, String reason) {
                undecodable.add(direction + " at " + offset + ": " + reason);
            }
        };
        Http1Decoder d = new Http1Decoder(1, throwing, DecodeOptions.defaults(), "http", UpgradeHandler.NONE);
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 1, Conversation.latin1("GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 2, Conversation.latin1("HTTP/1.1 204 No Content\r\n\r\n"));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 3, Conversation.latin1("HTTP/1.1 204 No Content\r\n\r\n"));
        d.end(4);
        assertThat(undecodable).containsExactly(
                "CLIENT_TO_SERVER at 37: internal error in the HTTP/1 decoder: java.lang.IllegalStateException: sink broke",
                "SERVER_TO_CLIENT at 0: internal error in the HTTP/1 decoder: java.lang.IllegalStateException: sink broke");
    }

    @Test
    void heldBytesWhoseResponseIsUndecodable() {
        check(new Conversation()
                .client("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
                .client("\u0081\u0080abcd")
                .server("HTTP/1.1 1O1 Switching Protocols\r\n\r\n"), """
                exchange
                  request GET / HTTP/1.1 url=/ @1-1 head=38 body=0/0
                    Upgrade: websocket
                  note response missing: the server's bytes are undecodable from offset 9
                undecodable CLIENT_TO_SERVER at 38: bytes after an Upgrade or CONNECT request whose response is undecodable
                undecodable SERVER_TO_CLIENT at 9: status line: invalid status code "1O1"
                """);
    }

    @Test
    void aFailingDecoderAfterTheSwitchIsReportedOnce() {
        List<String> reported = new java.util.ArrayList<>();
        DecodeRecorder rec = new DecodeRecorder() {
            @Override
            public void undecodable(long connectionId, Direction direction, long offset, String reason) {
                reported.add(direction + " at " + offset + ": " + reason);
            }

            @Override
            public ConnectionDecoder webSocket(long connectionId, String extensions) {
                return new ConnectionDecoder() {
                    @Override
                    public void data(Direction direction, long timestampMicros, io.netty.buffer.ByteBuf data) {
                        throw new IllegalStateException("frame decoder broke");
                    }

                    @Override
                    public void end(long timestampMicros) {
                        throw new AssertionError("end after a failure");
                    }
                };
            }
        };
        Http1Decoder d = new Http1Decoder(1, rec, DecodeOptions.defaults(), "http", rec);
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 1, Conversation.latin1(WS_REQUEST));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 2, Conversation.latin1(WS_101));
        Conversation.feed(d, Direction.SERVER_TO_CLIENT, 3, Conversation.latin1(WS_SERVER_HELLO));
        Conversation.feed(d, Direction.CLIENT_TO_SERVER, 4, Conversation.latin1(WS_CLIENT_HELLO));
        d.end(5);
        assertThat(rec.exchanges).hasSize(1);
        assertThat(reported).containsExactly(
                "CLIENT_TO_SERVER at 231: the decoder after the protocol switch failed: java.lang.IllegalStateException: frame decoder broke",
                "SERVER_TO_CLIENT at 182: the decoder after the protocol switch failed: java.lang.IllegalStateException: frame decoder broke");
    }
}
