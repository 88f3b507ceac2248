package io.plainsight.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML format of a rules file:
 *
 * <pre>
 * rules:
 *   - id: "1001"
 *     msg: backend error
 *     match: http.response.code >= 500
 *     sticky: client 600s
 *   - id: "1002"
 *     match: http.request.uri contains "/login"
 *     parts: +EIJ
 *     redact: {header: [Authorization, Cookie, Set-Cookie], param: [password], body-regex: ['"token":"[^"]*"']}
 * </pre>
 *
 * Read with locations, so every message names the line and column of the offending key or value.
 */
final class YamlRules {
    private static final List<String> KEYS = List.of("id", "msg", "match", "parts", "audit", "sticky", "redact", "capture",
            "decrypt");

    private YamlRules() {}

    /** A YAML node and where it starts. */
    private sealed interface Y permits Scalar, Seq, Obj {
        int line();

        int column();
    }

    private record Scalar(String text, int line, int column) implements Y {}

    private record Seq(List<Y> items, int line, int column) implements Y {}

    private record Obj(Map<String, Y> fields, Map<String, int[]> keyAt, int line, int column) implements Y {}

    static List<Rule> parse(String source, String text) throws RulesException {
        RuleReader reader = new RuleReader(source);
        Y root;
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return List.of();
            }
            root = read(source, p);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // SnakeYAML: "while parsing X" / " in 'reader', line 1, column 9:" / snippet / "expected Y, but found Z"
            String msg = String.join("; ", String.valueOf(e.getOriginalMessage()).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith(" ") && !l.startsWith("\t")).toList());
            throw new RulesException(source, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), "not valid YAML: " + msg);
        } catch (IOException e) {
            throw new RulesException(source + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Obj top) || !top.fields().containsKey("rules")) {
            throw new RulesException(source, root.line(), root.column(), "expected 'rules:' and a list of rules");
        }
        for (String k : top.fields().keySet()) {
            if (!k.equals("rules")) {
                int[] at = top.keyAt().get(k);
                throw new RulesException(source, at[0], at[1], "unknown key '" + k + "' (the file holds 'rules:' only)");
            }
        }
        Y list = top.fields().get("rules");
        if (list instanceof Scalar s && s.text() == null) {
            return List.of();
        }
        if (!(list instanceof Seq seq)) {
            throw new RulesException(source, list.line(), list.column(), "'rules:' must be a list ('- id: ...' per rule)");
        }
        List<Rule> rules = new ArrayList<>();
        for (Y item : seq.items()) {
            if (!(item instanceof Obj rule)) {
                throw new RulesException(source, item.line(), item.column(), "a rule must be a map of id, match and actions");
            }
            rules.add(rule(reader, rule));
        }
        return rules;
    }

    private static Rule rule(RuleReader reader, Obj rule) throws RulesException {
        RuleReader.Draft d = new RuleReader.Draft();
        Y id = rule.fields().get("id");
        if (id == null) {
            throw reader.error(rule.line(), rule.column(), null, "rule without an id");
        }
        reader.id(d, scalar(reader, d, "id", id), id.line(), id.column());
        for (Map.Entry<String, Y> e : rule.fields().entrySet()) {
            String key = e.getKey();
            Y v = e.getValue();
            int[] keyAt = rule.keyAt().get(key);
            switch (key) {
                case "id" -> { }
                case "msg" -> d.msg = scalar(reader, d, key, v);
                case "match" -> {
                    d.match = scalar(reader, d, key, v);
                    d.matchLine = v.line();
                    d.matchColumn = v.column();
                }
                case "parts" -> {
                    for (String p : strings(reader, d, key, v)) {
                        reader.action(d, "parts", p, v.line(), v.column());
                    }
                }
                case "audit", "sticky", "capture", "decrypt" -> reader.action(d, key, scalar(reader, d, key, v), v.line(), v.column());
                case "redact" -> redact(reader, d, v);
                default -> {
                    String near = null;
                    for (String k : KEYS) {
                        if (Fields.distance(key, k) <= 2) {
                            near = k;
                        }
                    }
                    throw reader.error(keyAt[0], keyAt[1], d, "unknown key '" + key + "'"
                            + (near != null ? "; did you mean '" + near + "'?" : "; keys are " + String.join(", ", KEYS)));
                }
            }
        }
        return reader.build(d, rule.line(), rule.column());
    }

    private static void redact(RuleReader reader, RuleReader.Draft d, Y v) throws RulesException {
        if (v instanceof Obj o) {
            for (Map.Entry<String, Y> e : o.fields().entrySet()) {
                Y value = e.getValue();
                List<String> values = strings(reader, d, "redact " + e.getKey(), value);
                if (!e.getKey().equals("body-regex")) {
                    List<String> split = new ArrayList<>();
                    for (String s : values) {
                        for (String part : s.split(",")) {
                            split.add(part.strip());
                        }
                    }
                    values = split;
                }
                int[] at = o.keyAt().get(e.getKey());
                reader.redact(d, e.getKey(), values, at[0], at[1]);
            }
            return;
        }
        throw reader.error(v.line(), v.column(), d,
                "redact: expected a map, e.g. redact: {header: [Authorization], param: [password], body-regex: ['\"token\":\"[^\"]*\"']}");
    }

    private static String scalar(RuleReader reader, RuleReader.Draft d, String key, Y v) throws RulesException {
        if (v instanceof Scalar s && s.text() != null) {
            return s.text();
        }
        throw reader.error(v.line(), v.column(), d, key + ": expected a single value");
    }

    private static List<String> strings(RuleReader reader, RuleReader.Draft d, String key, Y v) throws RulesException {
        if (v instanceof Seq seq) {
            List<String> out = new ArrayList<>();
            for (Y item : seq.items()) {
                out.add(scalar(reader, d, key, item));
            }
            return out;
        }
        return List.of(scalar(reader, d, key, v));
    }

    /** Reads the node at the parser's current token. */
    private static Y read(String source, JsonParser p) throws IOException, RulesException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Y> fields = new LinkedHashMap<>();
                Map<String, int[]> keyAt = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation k = p.currentTokenLocation();
                    if (fields.containsKey(key)) {
                        throw new RulesException(source, k.getLineNr(), k.getColumnNr(), "key '" + key + "' appears twice");
                    }
                    keyAt.put(key, new int[] {k.getLineNr(), k.getColumnNr()});
                    p.nextToken();
                    fields.put(key, read(source, p));
                }
                return new Obj(fields, keyAt, line, column);
            }
            case START_ARRAY -> {
                List<Y> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(source, p));
                }
                return new Seq(items, line, column);
            }
            case VALUE_NULL -> {
                return new Scalar(null, line, column);
            }
            default -> {
                return new Scalar(p.getText(), line, column);
            }
        }
    }
}
