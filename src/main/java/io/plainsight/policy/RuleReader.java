package io.plainsight.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What the YAML and line formats share: reading actions, checking a rule, and the texts of values. */
final class RuleReader {
    /** Fields a connection rule (capture, decrypt) may use: known before any byte is decrypted. */
    static final Set<String> CONNECTION_FIELDS = Set.of("ip.addr", "ip.src", "ip.dst", "ipv6.addr", "ipv6.src", "ipv6.dst",
            "client.ip", "tcp.port", "tcp.srcport", "tcp.dstport", "tls.sni", "tls.ja3", "tls.ja4", "plainsight.mode");
    static final List<String> ACTIONS = List.of("parts", "audit", "sticky", "redact", "capture", "decrypt");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    private final String source;
    private final Set<String> ids = new HashSet<>();

    RuleReader(String source) {
        this.source = source;
    }

    /** One rule being read. */
    static final class Draft {
        String id;
        String msg;
        String match;
        int matchLine;
        int matchColumn;
        final List<PartsChange> parts = new ArrayList<>();
        Boolean audit;
        long stickyMicros;
        final List<String> headers = new ArrayList<>();
        final List<String> params = new ArrayList<>();
        final List<Pattern> regexes = new ArrayList<>();
        Boolean capture;
        Boolean decrypt;
    }

    RulesException error(int line, int column, Draft d, String problem) {
        return new RulesException(source, line, column, (d != null && d.id != null ? "rule " + d.id + ": " : "") + problem);
    }

    void id(Draft d, String id, int line, int column) throws RulesException {
        if (id == null || !ID.matcher(id).matches()) {
            throw error(line, column, null, "rule id '" + id + "': expected 1 to 64 letters, digits or _ . : -");
        }
        if (!ids.add(id)) {
            throw error(line, column, null, "rule id '" + id + "' is used twice");
        }
        d.id = id;
    }

    /** One action, {@code name} as written (parts, audit, sticky, capture, decrypt; redact goes to {@link #redact}). */
    void action(Draft d, String name, String value, int line, int column) throws RulesException {
        String v = value == null ? "" : value.strip();
        try {
            switch (name) {
                case "parts" -> {
                    for (String p : v.split("\\s+")) {
                        d.parts.add(PartsChange.parse(p));
                    }
                }
                case "audit" -> d.audit = onOff(name, v);
                case "sticky" -> {
                    String[] w = v.split("\\s+");
                    if (w.length != 2 || !w[0].equalsIgnoreCase("client")) {
                        throw new IllegalArgumentException("sticky '" + v + "': expected 'client DURATION', e.g. client 600s");
                    }
                    d.stickyMicros = durationMicros("sticky", w[1]);
                    if (d.stickyMicros <= 0) {
                        throw new IllegalArgumentException("sticky '" + v + "': the duration must be more than 0");
                    }
                }
                case "capture" -> d.capture = onOff(name, v);
                case "decrypt" -> d.decrypt = onOff(name, v);
                default -> {
                    String near = null;
                    for (String a : ACTIONS) {
                        if (Fields.distance(name.toLowerCase(Locale.ROOT), a) <= 2) {
                            near = a;
                        }
                    }
                    throw new IllegalArgumentException("unknown action '" + name + "'" + (near != null ? "; did you mean '" + near + "'?"
                            : "; actions are " + String.join(", ", ACTIONS)));
                }
            }
        } catch (IllegalArgumentException e) {
            throw error(line, column, d, e.getMessage());
        }
    }

    /** {@code redact}: kind is header, param or body-regex. */
    void redact(Draft d, String kind, List<String> values, int line, int column) throws RulesException {
        if (values.isEmpty() || values.stream().anyMatch(String::isBlank)) {
            throw error(line, column, d, "redact " + kind + ": no " + (kind.equals("body-regex") ? "pattern" : "names"));
        }
        switch (kind) {
            case "header" -> {
                for (String h : values) {
                    if (!Fields.isToken(h)) {
                        throw error(line, column, d, "redact header '" + h + "': not a header field name");
                    }
                    d.headers.add(h);
                }
            }
            case "param" -> d.params.addAll(values);
            case "body-regex" -> {
                for (String r : values) {
                    try {
                        d.regexes.add(Pattern.compile(r));
                    } catch (PatternSyntaxException e) {
                        throw error(line, column, d, "redact body-regex '" + r + "': " + e.getDescription()
                                + " at index " + e.getIndex());
                    }
                }
            }
            default -> throw error(line, column, d, "redact '" + kind + "': expected header, param or body-regex");
        }
    }

    Rule build(Draft d, int line, int column) throws RulesException {
        if (d.id == null) {
            throw error(line, column, null, "rule without an id");
        }
        if (d.match == null || d.match.isBlank()) {
            throw error(line, column, d, "no match expression (use 'match: true-ish expression', e.g. match: http)");
        }
        FilterExpression match;
        try {
            match = FilterExpression.parse(d.match);
        } catch (FilterSyntaxException e) {
            throw error(d.matchLine, d.matchColumn > 0 ? d.matchColumn + e.position() - 1 : 0, d,
                    "match: " + e.getMessage().replaceFirst("^filter: ", ""));
        }
        Redaction redact = new Redaction(d.headers, d.params, d.regexes);
        RuleActions actions = new RuleActions(d.parts, d.audit, d.stickyMicros, redact, d.capture, d.decrypt);
        if (!actions.connectionLevel() && !actions.exchangeLevel()) {
            throw error(line, column, d, "no action; actions are " + String.join(", ", ACTIONS));
        }
        if (actions.connectionLevel()) {
            if (actions.exchangeLevel()) {
                throw error(line, column, d, "capture/decrypt act on whole connections when they open and cannot be mixed "
                        + "with parts, audit, sticky or redact in one rule; write two rules");
            }
            for (String f : match.fields()) {
                if (!CONNECTION_FIELDS.contains(f)) {
                    throw error(d.matchLine, d.matchColumn, d, (d.capture != null ? "capture" : "decrypt")
                            + " is decided when the connection opens, before any HTTP is seen: its match can use only "
                            + String.join(", ", CONNECTION_FIELDS.stream().sorted().toList()) + ", not '" + f + "'");
                }
            }
        }
        return new Rule(d.id, d.msg, match, actions, source + " line " + line);
    }

    private static boolean onOff(String name, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(name + " '" + v + "': expected on or off");
        };
    }

    /** {@code 600s}, {@code 10m}, {@code 2h}, {@code 500ms}; a bare number is seconds. */
    static long durationMicros(String what, String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " '" + text + "': expected a duration like 600s, 10m, 2h or 500ms");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> n * 1_000L;
            case "m" -> n * 60_000_000L;
            case "h" -> n * 3_600_000_000L;
            default -> n * 1_000_000L;
        };
    }

    static String durationText(long micros) {
        if (micros % 3_600_000_000L == 0) {
            return micros / 3_600_000_000L + "h";
        }
        if (micros % 60_000_000L == 0) {
            return micros / 60_000_000L + "m";
        }
        if (micros % 1_000_000L == 0) {
            return micros / 1_000_000L + "s";
        }
        return micros / 1_000L + "ms";
    }

    /** Double-quoted with {@code \"} and {@code \\} escaped (how the line format reads quoted text). */
    static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
