package io.plainsight.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The line format of a rules file: one rule per line,
 *
 * <pre>
 * # comment
 * ID ["MESSAGE"] match EXPRESSION => ACTION [; ACTION]...
 * 1001 "backend error" match http.response.code >= 500 => sticky client 600s; parts +EIJ
 * 1002 match http.request.uri contains "/login" => redact header Authorization, Cookie; redact param password
 * 1003 match tls.sni == "bank.example" => decrypt off
 * </pre>
 *
 * The expression ends at the first {@code =>} outside a double-quoted string, and actions are
 * separated by {@code ;} outside double-quoted strings, so both may appear inside quotes. In quoted
 * text {@code \"} is a quote and {@code \\} a backslash; any other backslash stays as it is (regexes
 * read naturally: {@code "\d+"}). A line ending in {@code \} continues on the next one. An action
 * name may be followed by a colon ({@code sticky: client 600s}).
 */
final class LineRules {
    private LineRules() {}

    static List<Rule> parse(String source, String text) throws RulesException {
        RuleReader reader = new RuleReader(source);
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String first = lines[i];
            if (first.isBlank() || first.strip().startsWith("#")) {
                continue;
            }
            // join continuation lines, remembering where each physical line starts
            StringBuilder joined = new StringBuilder();
            List<int[]> starts = new ArrayList<>(); // {offset in joined, physical line (1-based)}
            int at = i;
            while (true) {
                String l = lines[at];
                String stripped = l.stripTrailing();
                starts.add(new int[] {joined.length(), at + 1});
                if (stripped.endsWith("\\") && at + 1 < lines.length) {
                    joined.append(stripped, 0, stripped.length() - 1).append(' ');
                    at++;
                } else {
                    joined.append(l);
                    break;
                }
            }
            rules.add(new LineRule(reader, joined.toString(), starts).parse());
            i = at;
        }
        return rules;
    }

    private static final class LineRule {
        final RuleReader reader;
        final String s;
        final List<int[]> starts;
        final RuleReader.Draft d = new RuleReader.Draft();
        int pos;

        LineRule(RuleReader reader, String s, List<int[]> starts) {
            this.reader = reader;
            this.s = s;
            this.starts = starts;
        }

        int line(int offset) {
            int line = starts.get(0)[1];
            for (int[] st : starts) {
                if (st[0] <= offset) {
                    line = st[1];
                }
            }
            return line;
        }

        int column(int offset) {
            int start = 0;
            for (int[] st : starts) {
                if (st[0] <= offset) {
                    start = st[0];
                }
            }
            return offset - start + 1;
        }

        RulesException error(int offset, String problem) {
            return reader.error(line(offset), column(offset), d, problem);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        String word() {
            int start = pos;
            while (pos < s.length() && !Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        /** The end of a quoted string starting at {@code from} (the index after the closing quote), or -1. */
        int stringEnd(int from) {
            for (int j = from + 1; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    return j + 1;
                }
            }
            return -1;
        }

        /** The first {@code target} at or after {@code from} outside double-quoted strings, or -1. */
        int find(String target, int from, int to) {
            for (int j = from; j < to; j++) {
                char c = s.charAt(j);
                if (c == '"') {
                    int end = stringEnd(j);
                    if (end < 0) {
                        return -2;
                    }
                    j = end - 1;
                } else if (s.startsWith(target, j)) {
                    return j;
                }
            }
            return -1;
        }

        Rule parse() throws RulesException {
            skipSpace();
            int idAt = pos;
            reader.id(d, word(), line(idAt), column(idAt));
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '"') {
                int end = stringEnd(pos);
                if (end < 0) {
                    throw error(pos, "the message has no closing quote");
                }
                d.msg = unquote(s.substring(pos + 1, end - 1));
                pos = end;
                skipSpace();
            }
            int matchAt = pos;
            String kw = word();
            if (!kw.equals("match")) {
                throw error(matchAt, kw.isEmpty() ? "expected 'match EXPRESSION => ACTIONS' after the rule id"
                        : "expected 'match' after the rule id" + (d.msg == null ? " (and an optional \"message\")" : "")
                                + ", found '" + kw + "'");
            }
            skipSpace();
            int exprAt = pos;
            int arrow = find("=>", pos, s.length());
            if (arrow == -2) {
                throw error(exprAt, "a string in the match expression has no closing quote");
            }
            if (arrow < 0) {
                throw error(s.length(), "expected '=>' and the actions after the match expression");
            }
            d.match = s.substring(exprAt, arrow).strip();
            d.matchLine = line(exprAt);
            d.matchColumn = column(exprAt);
            if (d.match.isEmpty()) {
                throw error(exprAt, "no match expression before '=>'");
            }
            pos = arrow + 2;
            boolean any = false;
            while (pos <= s.length()) {
                int semi = find(";", pos, s.length());
                if (semi == -2) {
                    throw error(pos, "a quoted string in the actions has no closing quote");
                }
                int end = semi < 0 ? s.length() : semi;
                String action = s.substring(pos, end);
                int actionAt = pos + (action.length() - action.stripLeading().length());
                if (!action.isBlank()) {
                    action(action.strip(), actionAt);
                    any = true;
                }
                if (semi < 0) {
                    break;
                }
                pos = semi + 1;
            }
            if (!any) {
                throw error(s.length(), "no action after '=>'");
            }
            return reader.build(d, line(idAt), column(idAt));
        }

        void action(String text, int at) throws RulesException {
            int sp = 0;
            while (sp < text.length() && !Character.isWhitespace(text.charAt(sp))) {
                sp++;
            }
            String name = text.substring(0, sp);
            String value = text.substring(sp).strip();
            if (name.endsWith(":")) {
                name = name.substring(0, name.length() - 1);
            }
            int valueAt = at + text.indexOf(value, sp);
            if (!name.equals("redact")) {
                reader.action(d, name, value, line(at), column(at));
                return;
            }
            int ksp = 0;
            while (ksp < value.length() && !Character.isWhitespace(value.charAt(ksp))) {
                ksp++;
            }
            String kind = value.substring(0, ksp);
            if (kind.endsWith(":")) {
                kind = kind.substring(0, kind.length() - 1);
            }
            String rest = value.substring(ksp).strip();
            List<String> values = new ArrayList<>();
            if (kind.equals("body-regex")) {
                if (!rest.startsWith("\"") || !rest.endsWith("\"") || rest.length() < 2) {
                    throw error(valueAt, "redact body-regex: write the pattern in double quotes, e.g. redact body-regex \"\\\"token\\\":\\\"[^\\\"]*\\\"\"");
                }
                values.add(unquote(rest.substring(1, rest.length() - 1)));
            } else {
                for (String v : rest.split(",")) {
                    values.add(v.strip());
                }
            }
            reader.redact(d, kind, values, line(valueAt), column(valueAt));
        }
    }

    /** {@code \"} is a quote and {@code \\} a backslash; other backslashes stay. */
    static String unquote(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                out.append(s.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
