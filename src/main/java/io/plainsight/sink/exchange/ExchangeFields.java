package io.plainsight.sink.exchange;

import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.policy.FieldSource;
import io.plainsight.sink.har.HarUrls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The filter fields of one connection and (when given) one exchange on it. */
final class ExchangeFields implements FieldSource {
    private final ConnectionMeta c;
    private final Exchange x;

    ExchangeFields(ConnectionMeta c, Exchange x) {
        this.c = c;
        this.x = x;
    }

    /** Values of one source key (see io.plainsight.policy.Fields: ip.src, tcp.dstport, http.header.NAME, ...). */
    @Override
    public List<Object> values(String key) {
        HttpMessage req = x == null ? null : x.request;
        HttpMessage resp = x == null ? null : x.response;
        switch (key) {
            case "ip.src":
                return of(address(c.client()));
            case "ip.dst":
                return of(address(c.server()));
            case "tcp.srcport":
                return of(port(c.client()));
            case "tcp.dstport":
                return of(port(c.server()));
            case "tcp.stream":
                return of(c.id());
            case "flow.bytes":
                return of(c.bytes());
            case "http.duration":
                return resp == null || resp.endMicros <= 0 || req.startMicros <= 0 ? List.of()
                        : of(Math.max(0, (resp.endMicros - req.startMicros) / 1000));
            case "plainsight.mode":
                return of(c.mode().label());
            case "tls.sni":
                return of(c.sni());
            case "tls.version":
                return of(c.clientTls == null ? null : c.clientTls.protocol(), c.upstreamTls == null ? null : c.upstreamTls.protocol());
            case "tls.cipher":
                return of(c.clientTls == null ? null : c.clientTls.cipher(), c.upstreamTls == null ? null : c.upstreamTls.cipher());
            case "tls.alpn":
                return of(c.alpn());
            case "tls.ja3": {
                io.plainsight.tls.Ja3 ja3 = c.clientTls == null ? null
                        : io.plainsight.tls.HelloFingerprints.ja3(c.clientTls.clientHello());
                return of(ja3 == null ? null : ja3.md5());
            }
            case "tls.ja4":
                return of(c.clientTls == null ? null : io.plainsight.tls.HelloFingerprints.ja4(c.clientTls.clientHello()));
            case "http.request":
                return req == null ? List.of() : List.of(Boolean.TRUE);
            case "http.response":
                return resp == null ? List.of() : List.of(Boolean.TRUE);
            case "http.host":
                return req == null ? List.of() : of(req.authority != null ? req.authority : req.header("Host"));
            case "http.request.method":
                return req == null ? List.of() : of(req.method);
            case "http.request.uri":
                return req == null ? List.of() : of(req.target);
            case "http.request.full_uri":
                return req == null ? List.of() : of(HarUrls.url(c, req));
            case "http.request.version":
                return req == null ? List.of() : of(req.version);
            case "http.response.code":
                return resp == null ? List.of() : of((long) resp.status);
            case "http.response.phrase":
                return resp == null || resp.reason == null || resp.reason.isEmpty() ? List.of() : of(resp.reason);
            case "http.response.version":
                return resp == null ? List.of() : of(resp.version);
            case "http.content_length": {
                List<Object> out = new ArrayList<>();
                for (Object v : concat(headers(req, "Content-Length"), headers(resp, "Content-Length"))) {
                    try {
                        out.add(Long.parseLong(v.toString().trim()));
                    } catch (NumberFormatException e) {
                        // not a number: not a value of this integer field
                    }
                }
                return out;
            }
            case "websocket":
                return List.of();
            default:
                if (key.startsWith(RESPONSE_HEADER)) {
                    return headers(resp, key.substring(RESPONSE_HEADER.length()));
                }
                if (key.startsWith(REQUEST_HEADER)) {
                    return headers(req, key.substring(REQUEST_HEADER.length()));
                }
                return List.of();
        }
    }

    private static final String REQUEST_HEADER = "http.header.";
    private static final String RESPONSE_HEADER = "http.response.header.";

    private static List<Object> headers(HttpMessage m, String name) {
        if (m == null) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(1);
        for (Http1Header h : m.headers) {
            if (h.name().equalsIgnoreCase(name)) {
                out.add(h.value());
            }
        }
        return out;
    }

    private static List<Object> concat(List<Object> a, List<Object> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        List<Object> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Object address(InetSocketAddress a) {
        return a == null ? null : a.getAddress();
    }

    private static Object port(InetSocketAddress a) {
        return a == null ? null : (long) a.getPort();
    }

    private static List<Object> of(Object... values) {
        List<Object> out = new ArrayList<>(values.length);
        for (Object v : values) {
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

}
