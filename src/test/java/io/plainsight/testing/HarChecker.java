package io.plainsight.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a HAR file against HAR 1.2's required fields and timing rules (as Chrome DevTools and
 * Firefox import it) and returns its entries.
 */
public final class HarChecker {
    private HarChecker() {}

    /** Parses, validates (AssertionError naming the entry and field otherwise), and returns log.entries. */
    public static List<JsonNode> entries(Path har) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(har.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("HAR " + har + " is not valid JSON", e);
        }
        JsonNode log = require(root, "log", "");
        requireText(log, "version", "log");
        if (!log.get("version").asText().equals("1.2")) {
            throw new AssertionError("log.version is " + log.get("version"));
        }
        JsonNode creator = require(log, "creator", "log");
        requireText(creator, "name", "log.creator");
        requireText(creator, "version", "log.creator");
        JsonNode entries = require(log, "entries", "log");
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            String at = "log.entries[" + i + "]";
            requireText(e, "startedDateTime", at);
            double time = requireNumber(e, "time", at);
            JsonNode req = require(e, "request", at);
            for (String f : List.of("method", "url", "httpVersion")) {
                requireText(req, f, at + ".request");
            }
            for (String f : List.of("cookies", "headers", "queryString")) {
                requireArray(req, f, at + ".request");
            }
            requireNumber(req, "headersSize", at + ".request");
            requireNumber(req, "bodySize", at + ".request");
            JsonNode resp = require(e, "response", at);
            requireNumber(resp, "status", at + ".response");
            requireText(resp, "statusText", at + ".response");
            requireText(resp, "httpVersion", at + ".response");
            requireArray(resp, "cookies", at + ".response");
            requireArray(resp, "headers", at + ".response");
            JsonNode content = require(resp, "content", at + ".response");
            requireNumber(content, "size", at + ".response.content");
            requireText(content, "mimeType", at + ".response.content");
            requireText(resp, "redirectURL", at + ".response");
            requireNumber(resp, "headersSize", at + ".response");
            requireNumber(resp, "bodySize", at + ".response");
            require(e, "cache", at);
            JsonNode t = require(e, "timings", at);
            double sum = 0;
            for (String f : List.of("send", "wait", "receive")) {
                double v = requireNumber(t, f, at + ".timings");
                if (v < 0) {
                    throw new AssertionError(at + ".timings." + f + " is negative: " + v);
                }
                sum += v;
            }
            for (String f : List.of("blocked", "dns", "connect", "ssl")) {
                if (t.has(f) && t.get(f).asDouble() < -1) {
                    throw new AssertionError(at + ".timings." + f + " < -1");
                }
            }
            if (Math.abs(sum - time) > 0.01) {
                throw new AssertionError(at + ".time " + time + " is not send+wait+receive " + sum);
            }
            out.add(e);
        }
        return out;
    }

    private static JsonNode require(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new AssertionError(at + "." + field + " is missing");
        }
        return v;
    }

    private static void requireText(JsonNode n, String field, String at) {
        if (!require(n, field, at).isTextual()) {
            throw new AssertionError(at + "." + field + " is not a string");
        }
    }

    private static double requireNumber(JsonNode n, String field, String at) {
        JsonNode v = require(n, field, at);
        if (!v.isNumber()) {
            throw new AssertionError(at + "." + field + " is not a number");
        }
        return v.asDouble();
    }

    private static void requireArray(JsonNode n, String field, String at) {
        if (!require(n, field, at).isArray()) {
            throw new AssertionError(at + "." + field + " is not an array");
        }
    }
}
