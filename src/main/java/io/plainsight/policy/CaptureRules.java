package io.plainsight.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed rules file ({@code --rules FILE}): immutable, in file order. Exchange rules (parts,
 * audit, sticky, redact) are evaluated for every HTTP exchange; connection rules (capture, decrypt)
 * when a connection opens.
 */
public final class CaptureRules {
    public static final CaptureRules EMPTY = new CaptureRules("(none)", List.of());

    private final String source;
    private final List<Rule> rules;
    private final List<Rule> exchangeRules;
    private final List<Rule> connectionRules;

    public CaptureRules(String source, List<Rule> rules) {
        this.source = source;
        this.rules = List.copyOf(rules);
        List<Rule> x = new ArrayList<>();
        List<Rule> c = new ArrayList<>();
        for (Rule r : rules) {
            (r.actions().connectionLevel() ? c : x).add(r);
        }
        this.exchangeRules = List.copyOf(x);
        this.connectionRules = List.copyOf(c);
    }

    /**
     * Reads a rules file: YAML when it is named {@code *.yaml} / {@code *.yml} or starts with
     * {@code rules:}, else the line format.
     *
     * @throws RulesException naming the file, the line and the problem
     */
    public static CaptureRules load(Path file) throws RulesException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RulesException(file + ": no such file", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new RulesException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new RulesException(file + ": cannot read it: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses rules text; {@code source} names it in messages (and chooses the format by its suffix). */
    public static CaptureRules parse(String source, String text) throws RulesException {
        List<Rule> rules = isYaml(source, text) ? YamlRules.parse(source, text) : LineRules.parse(source, text);
        return new CaptureRules(source, rules);
    }

    static boolean isYaml(String source, String text) {
        String name = source.toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return true;
        }
        for (String line : text.lines().toList()) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            return t.startsWith("rules:") || t.equals("---");
        }
        return false;
    }

    public String source() {
        return source;
    }

    public List<Rule> all() {
        return rules;
    }

    public List<Rule> exchangeRules() {
        return exchangeRules;
    }

    public List<Rule> connectionRules() {
        return connectionRules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * What the connection rules say about a connection that is opening (its fields: addresses,
     * ports, SNI, mode): the first matching rule that sets an action decides it.
     */
    public ConnectionDecision connection(FieldSource fields) {
        Rule capture = null;
        Rule decrypt = null;
        for (Rule r : connectionRules) {
            if ((capture == null && r.actions().capture() != null) || (decrypt == null && r.actions().decrypt() != null)) {
                if (r.match().matches(fields)) {
                    if (capture == null && r.actions().capture() != null) {
                        capture = r;
                    }
                    if (decrypt == null && r.actions().decrypt() != null) {
                        decrypt = r;
                    }
                }
            }
        }
        boolean doCapture = capture == null || capture.actions().capture();
        boolean doDecrypt = decrypt == null || decrypt.actions().decrypt();
        return new ConnectionDecision(doCapture, doDecrypt, capture, decrypt);
    }

    /**
     * @param capture whether the connection reaches any output
     * @param decrypt whether it is intercepted (else relayed untouched)
     * @param captureRule the rule that decided capture, or null
     * @param decryptRule the rule that decided decrypt, or null
     */
    public record ConnectionDecision(boolean capture, boolean decrypt, Rule captureRule, Rule decryptRule) {
        public static final ConnectionDecision DEFAULT = new ConnectionDecision(true, true, null, null);
    }

    @Override
    public String toString() {
        return rules.size() + " rule(s) from " + source;
    }
}
