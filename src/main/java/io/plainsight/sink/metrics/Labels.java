package io.plainsight.sink.metrics;

import io.plainsight.event.CloseKind;
import io.plainsight.event.Interception;
import io.plainsight.http.HttpMessage;
import java.util.Locale;
import java.util.Set;

/** Label values of the metrics: each from a small, fixed set, so no label can grow without bound. */
final class Labels {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");

    private Labels() {}

    /** The request method when it is one of RFC 9110's (and PATCH), else "OTHER". */
    static String method(String method) {
        return method != null && METHODS.contains(method) ? method : "OTHER";
    }

    /** "1xx" to "5xx", or "none" when no response came (or its status is out of range). */
    static String statusClass(HttpMessage response) {
        if (response == null || response.status < 100 || response.status > 599) {
            return "none";
        }
        return STATUS_CLASSES[response.status / 100 - 1];
    }

    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    /** decrypted, plain, passthrough, fail_open, not_decrypted. */
    static String interception(Interception i) {
        return i == null ? "decrypted" : i.label().replace('-', '_');
    }

    /** fin, rst, timeout, error. */
    static String outcome(CloseKind kind) {
        return kind == null ? "fin" : kind.name().toLowerCase(Locale.ROOT);
    }

    /** TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, SSLv3, or "other". */
    static String tlsVersion(String protocol) {
        if (protocol == null) {
            return "other";
        }
        return switch (protocol) {
            case "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "SSLv3" -> protocol;
            default -> "other";
        };
    }
}
