package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Redaction of exchanges in place: one '*' per redacted character, and the H-part lines. */
class RedactionTest {
    static HttpMessage message(HttpMessage.Kind kind, String body, String... headers) {
        HttpMessage m = new HttpMessage(kind, 4096);
        for (int i = 0; i < headers.length; i += 2) {
            m.headers.add(new Http1Header(headers[i], headers[i + 1]));
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        m.body.append(b, 0, b.length);
        return m;
    }

    static String body(HttpMessage m) {
        return new String(m.body.bytes(), StandardCharsets.UTF_8);
    }

    static Exchange login(String contentType, String body) {
        HttpMessage req = message(HttpMessage.Kind.REQUEST, body, "Host", "a.test", "Authorization", "Bearer abc.def",
                "Cookie", "sid=42", "Content-Type", contentType);
        req.method = "POST";
        req.target = "/login?user=bob&password=hunter2&pass%77ord=x&q";
        HttpMessage resp = message(HttpMessage.Kind.RESPONSE, "{\"token\":\"T0K3N\",\"n\":1}", "Content-Type", "application/json",
                "Set-Cookie", "sid=43; Path=/", "set-cookie", "other=1");
        resp.status = 200;
        Exchange x = new Exchange(1, 0, req);
        x.response = resp;
        return x;
    }

    static final Redaction ALL = new Redaction(List.of("Authorization", "Cookie", "Set-Cookie"), List.of("password"),
            List.of(Pattern.compile("\"token\":\"[^\"]*\"")));

    @Test
    void headersParamsAndBodiesBecomeStarsOfTheSameLength() {
        Exchange x = login("application/x-www-form-urlencoded", "user=bob&password=s3cr%21t&x=1");
        List<String> lines = ALL.apply(x);
        assertThat(x.request.header("Authorization")).isEqualTo("**************");
        assertThat(x.request.header("Cookie")).isEqualTo("******");
        assertThat(x.request.header("Host")).isEqualTo("a.test");
        assertThat(x.request.target).isEqualTo("/login?user=bob&password=*******&pass%77ord=*&q");
        assertThat(body(x.request)).isEqualTo("user=bob&password=********&x=1");
        assertThat(x.response.headers).extracting(Http1Header::value).containsExactly("application/json", "**************", "*******");
        assertThat(body(x.response)).isEqualTo("{***************,\"n\":1}");
        assertThat(x.response.body.size()).isEqualTo("{\"token\":\"T0K3N\",\"n\":1}".length());
        assertThat(lines).containsExactly("Sanitised-Args: \"password\".",
                "Sanitised-Request-Headers: \"Authorization\", \"Cookie\".",
                "Sanitised-Response-Headers: \"Set-Cookie\".",
                "Sanitised-Response-Body: \"body-regex\".");
    }

    @Test
    void jsonRequestMembersAreParams() {
        Exchange x = login("application/json", "{\"user\":\"bob\", \"Password\" : \"p\\\"w\", \"pin\": 1234}");
        new Redaction(List.of(), List.of("password", "pin"), List.of()).apply(x);
        assertThat(body(x.request)).isEqualTo("{\"user\":\"bob\", \"Password\" : \"****\", \"pin\": ****}");
    }

    @Test
    void multipartFormFieldsAreParamsAndFilesStay() {
        String body = "--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nfirst\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nbob\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"Password\"\r\n\r\nhunter2\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"password\"; filename=\"password\"\r\n"
                + "Content-Type: text/plain\r\n\r\nfile content\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=password\r\n\r\nsecond\r\n--XyZ--\r\n";
        Exchange x = login("multipart/form-data; boundary=\"XyZ\"", body);
        List<String> lines = new Redaction(List.of(), List.of("password"), List.of()).apply(x);
        assertThat(body(x.request)).isEqualTo(body.replace("\r\n\r\nhunter2\r\n", "\r\n\r\n*******\r\n")
                .replace("\r\n\r\nsecond\r\n", "\r\n\r\n******\r\n").replace("\r\n\r\nfirst\r\n", "\r\n\r\n*****\r\n"));
        assertThat(body(x.request)).contains("\r\n\r\nbob\r\n", "\r\n\r\nfile content\r\n");
        assertThat(lines).containsExactly("Sanitised-Args: \"password\".");
    }

    @Test
    void aMultipartFieldCutOffByMaxBodyIsRedactedToTheEnd() {
        Exchange x = login("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunt");
        new Redaction(List.of(), List.of("password"), List.of()).apply(x);
        assertThat(body(x.request)).endsWith("\r\n\r\n****");
    }

    @Test
    void regexGroupsLimitWhatIsReplaced() {
        Exchange x = login("text/plain", "token=abc; key=zz");
        new Redaction(List.of(), List.of(), List.of(Pattern.compile("token=(\\w+)|key=(\\w+)"))).apply(x);
        assertThat(body(x.request)).isEqualTo("token=***; key=**");
    }

    @Test
    void contentEncodedBodiesAreRedactedDecoded() throws Exception {
        Exchange x = login("text/plain", "");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("{\"token\":\"T0K3N\"}".getBytes(StandardCharsets.UTF_8));
        }
        HttpMessage resp = new HttpMessage(HttpMessage.Kind.RESPONSE, 4096);
        resp.headers.add(new Http1Header("Content-Encoding", "gzip"));
        resp.body.append(gz.toByteArray(), 0, gz.size());
        x.response = resp;
        List<String> lines = new Redaction(List.of(), List.of(), List.of(Pattern.compile("T0K3N"))).apply(x);
        assertThat(body(resp)).isEqualTo("{\"token\":\"*****\"}");
        assertThat(resp.header("Content-Encoding")).isEqualTo("identity");
        assertThat(lines).containsExactly("Sanitised-Response-Body: \"body-regex\".");
    }

    @Test
    void nothingToRedactLeavesTheExchangeAlone() {
        Exchange x = login("text/plain", "hello");
        assertThat(new Redaction(List.of("X-Secret"), List.of("nope"), List.of(Pattern.compile("zzz"))).apply(x)).isEmpty();
        assertThat(x.request.target).isEqualTo("/login?user=bob&password=hunter2&pass%77ord=x&q");
        assertThat(body(x.request)).isEqualTo("hello");
        assertThat(Redaction.NONE.apply(x)).isEmpty();
    }
}
