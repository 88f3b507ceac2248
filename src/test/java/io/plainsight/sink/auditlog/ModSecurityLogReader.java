package io.plainsight.sink.auditlog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent reading of ModSecurity's native audit log, written from the patterns other tools
 * use rather than from our writer: the logstash-modsecurity boundary and part A grok patterns
 * (with logstash's own grok definitions of MONTHDAY, MONTH, YEAR, TIME and IP), its split of part H
 * into {@code Message:} lines and key-value pairs, and mlogc's regular expression for the lines of
 * a concurrent log's index.
 */
public final class ModSecurityLogReader {
    /** logstash-patterns-core grok-patterns, the definitions the patterns below use. */
    private static final Map<String, String> GROK = Map.ofEntries(
            Map.entry("MONTHDAY", "(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])"),
            Map.entry("MONTH", "\\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?"
                    + "|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?"
                    + "|[Dd]e(?:c|z)(?:ember)?)\\b"),
            Map.entry("YEAR", "(?>\\d\\d){1,2}"),
            Map.entry("HOUR", "(?:2[0123]|[01]?[0-9])"),
            Map.entry("MINUTE", "(?:[0-5][0-9])"),
            Map.entry("SECOND", "(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)"),
            Map.entry("TIME", "(?!<[0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])"),
            Map.entry("INT", "(?:[+-]?(?:[0-9]+))"),
            Map.entry("IPV4", "(?<![0-9])(?:(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.]"
                    + "(?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])[.](?:[0-1]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]))(?![0-9])"),
            Map.entry("IPV6", "((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-Fa-f]{1,4}|((25[0-5]|2[0-4]\\d"
                    + "|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){1,2})"
                    + "|:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){4}"
                    + "(((:[0-9A-Fa-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d"
                    + "|[1-9]?\\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})|((:[0-9A-Fa-f]{1,4}){0,2}:((25[0-5]"
                    + "|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){2}"
                    + "(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-Fa-f]{1,4}){0,3}:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
                    + "|1\\d\\d|[1-9]?\\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){0,4}:((25[0-5]"
                    + "|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}))|:))|(:(((:[0-9A-Fa-f]{1,4}){1,7})"
                    + "|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}))"
                    + "|:)))(%.+)?"),
            Map.entry("IP", "(?:%{IPV6}|%{IPV4})"));

    /** The boundary line (the translation of logstash-modsecurity's split). */
    public static final Pattern BOUNDARY = Pattern.compile("^--([a-f0-9]{8})-([A-Z])--$");
    /** Part A: {@code \[%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} [-\+]\d+\] \S+ %{IP} \d+ %{IP} \d+}, with captures. */
    public static final Pattern PART_A = Pattern.compile(grok(
            "^\\[(?<time>%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} [-\\+]\\d+)\\] (?<id>\\S+) (?<client>%{IP}) (?<cport>\\d+)"
                    + " (?<host>%{IP}) (?<hport>\\d+)$"));
    /** mlogc's {@code logline_pattern} for an index line. */
    public static final Pattern INDEX_LINE = Pattern.compile("^(\\S+)"
            + "\\ (\\S+)\\ (\\S+)\\ (\\S+)"
            + "\\ \\[([^:]+):(\\d+:\\d+:\\d+)\\ ([^\\]]+)\\]"
            + "\\ \\\"(.*)\\\""
            + "\\ (\\d+)\\ (\\S+)"
            + "\\ \\\"(.*)\\\"\\ \\\"(.*)\\\""
            + "\\ (\\S+)\\ \\\"(.*)\\\""
            + "\\ /?(\\S+)\\ (\\d+)\\ (\\d+)"
            + "\\ (\\S+)"
            + "(.*)$");

    /** logstash-modsecurity's extraction of a Message line's fields. */
    public static final Pattern MESSAGE_ID = Pattern.compile("\\[id \\\"(.*?)\\\"\\]");
    public static final Pattern MESSAGE_MSG = Pattern.compile("\\[msg \\\"(.*?)\\\"\\]");

    private ModSecurityLogReader() {}

    /** Expands {@code %{NAME}} references with the grok definitions. */
    static String grok(String pattern) {
        String p = pattern;
        Matcher m = Pattern.compile("%\\{([A-Z0-9]+)\\}").matcher(p);
        while (m.find()) {
            String def = GROK.get(m.group(1));
            if (def == null) {
                throw new IllegalArgumentException("no grok definition for " + m.group(1));
            }
            p = p.substring(0, m.start()) + def + p.substring(m.end());
            m = Pattern.compile("%\\{([A-Z0-9]+)\\}").matcher(p);
        }
        return p;
    }

    /** One entry: its boundary and its parts' text (lines joined with LF, without the boundary lines). */
    public record Entry(String boundary, Map<Character, String> parts) {
        public String part(char p) {
            return parts.get(p);
        }

        public String order() {
            StringBuilder s = new StringBuilder();
            parts.keySet().forEach(s::append);
            return s.toString();
        }

        /** Part H as logstash-modsecurity's kv filter reads it: "Key: value" lines (the last of a key wins). */
        public Map<String, String> trailer() {
            Map<String, String> kv = new LinkedHashMap<>();
            for (String line : part('H').split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    kv.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
            return kv;
        }

        public List<String> messages() {
            List<String> out = new ArrayList<>();
            for (String line : part('H').split("\n")) {
                if (line.startsWith("Message: ")) {
                    out.add(line);
                }
            }
            return out;
        }
    }

    /**
     * Splits a serial log into entries: a boundary line of part A starts an entry; every line up
     * to the next boundary line belongs to the part named by the last boundary.
     *
     * @throws AssertionError when a line appears outside an entry or a boundary changes within one
     */
    public static List<Entry> read(String log) {
        List<Entry> entries = new ArrayList<>();
        Entry current = null;
        List<String> lines = null;
        char part = 0;
        for (String line : log.split("\n", -1)) {
            Matcher b = BOUNDARY.matcher(line);
            if (!b.matches()) {
                if (lines != null) {
                    lines.add(line);
                } else if (!line.isEmpty()) {
                    throw new AssertionError("text outside an entry: '" + line + "'");
                }
                continue;
            }
            if (lines != null) {
                current.parts.put(part, String.join("\n", lines));
            }
            part = b.group(2).charAt(0);
            if (part == 'A') {
                if (lines != null) {
                    throw new AssertionError("entry " + current.boundary + " has no Z part");
                }
                current = new Entry(b.group(1), new LinkedHashMap<>());
                entries.add(current);
            } else if (current == null || lines == null || !current.boundary.equals(b.group(1))) {
                throw new AssertionError("boundary line '" + line + "' outside its entry");
            }
            if (current.parts.containsKey(part)) {
                throw new AssertionError("part " + part + " twice in entry " + current.boundary);
            }
            lines = new ArrayList<>();
            if (part == 'Z') {
                current.parts.put('Z', "");
                lines = null;
            }
        }
        if (lines != null) {
            throw new AssertionError("the last entry has no Z part");
        }
        return entries;
    }
}
