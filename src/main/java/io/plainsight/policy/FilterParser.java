package io.plainsight.policy;

import io.plainsight.policy.Token.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser of filter expressions (grammar in {@link FilterExpression}). Types are
 * checked as the expression is read, so every error, syntax or type, is reported at its position.
 */
final class FilterParser {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt",
            "le", "contains", "matches", "any_eq", "all_ne", "all_eq", "any_ne");

    /** Deepest nesting of parentheses and negations (the parser and evaluation recurse). */
    static final int MAX_DEPTH = 100;

    private final String text;
    private final FilterLexer lexer;
    private int depth;
    private final Set<String> fields = new LinkedHashSet<>();
    private Token tok;
    private Token ahead;

    FilterParser(String text) {
        this.text = text;
        this.lexer = new FilterLexer(text);
    }

    FilterExpression parse() throws FilterSyntaxException {
        tok = lexer.next();
        if (tok.kind() == Kind.EOF) {
            throw error(tok, "empty expression", null);
        }
        Node root = parseOr();
        if (tok.kind() == Kind.RPAREN) {
            throw error(tok, "unmatched ')'", null);
        }
        if (tok.kind() != Kind.EOF) {
            throw error(tok, "expected '&&', '||' or the end, found " + tok.describe(), null);
        }
        return new FilterExpression(text, root, fields);
    }

    private void advance() throws FilterSyntaxException {
        tok = ahead != null ? ahead : lexer.next();
        ahead = null;
    }

    private Token peek() throws FilterSyntaxException {
        if (ahead == null) {
            ahead = lexer.next();
        }
        return ahead;
    }

    private Node parseOr() throws FilterSyntaxException {
        List<Node> children = new ArrayList<>();
        addFlat(children, parseAnd(), true);
        while (tok.kind() == Kind.OR || tok.isWord("or")) {
            advance();
            addFlat(children, parseAnd(), true);
        }
        return children.size() == 1 ? children.get(0) : new Node.Or(children.toArray(Node[]::new));
    }

    private Node parseAnd() throws FilterSyntaxException {
        List<Node> children = new ArrayList<>();
        addFlat(children, parseUnary(), false);
        while (tok.kind() == Kind.AND || tok.isWord("and")) {
            advance();
            addFlat(children, parseUnary(), false);
        }
        return children.size() == 1 ? children.get(0) : new Node.And(children.toArray(Node[]::new));
    }

    private static void addFlat(List<Node> children, Node n, boolean or) {
        if (or && n instanceof Node.Or o) {
            children.addAll(List.of(o.children()));
        } else if (!or && n instanceof Node.And a) {
            children.addAll(List.of(a.children()));
        } else {
            children.add(n);
        }
    }

    private Node parseUnary() throws FilterSyntaxException {
        boolean not = tok.kind() == Kind.BANG || tok.isWord("not");
        if (not || tok.kind() == Kind.LPAREN) {
            if (depth == MAX_DEPTH) {
                throw error(tok, "nested too deeply (more than " + MAX_DEPTH + " parentheses and negations)", null);
            }
            depth++;
            Node n = not ? negation() : parenthesized();
            depth--;
            return n;
        }
        return parseTest();
    }

    private Node negation() throws FilterSyntaxException {
        advance();
        return new Node.Not(parseUnary());
    }

    private Node parenthesized() throws FilterSyntaxException {
        Token open = tok;
        advance();
        Node inner = parseOr();
        if (tok.kind() == Kind.RPAREN) {
            advance();
            return inner;
        }
        if (tok.kind() == Kind.EOF) {
            throw error(open, "unclosed '('", null);
        }
        throw error(tok, "expected '&&', '||' or ')', found " + tok.describe(), null);
    }

    private Node parseTest() throws FilterSyntaxException {
        Token ft = tok;
        if (ft.kind() != Kind.WORD || KEYWORDS.contains(ft.text().toLowerCase(Locale.ROOT))) {
            throw error(ft, "expected a field name, found " + ft.describe(), null);
        }
        Field field = field(ft);
        fields.add(field.name());
        advance();
        int opStart = tok.start();
        Op op = Op.of(tok);
        String opText = tok.text();
        if (op == null && tok.isWord("not") && peek().isWord("in")) {
            op = Op.NOT_IN;
            opText = tok.text() + " " + peek().text();
            advance();
        }
        if (op == null) {
            return new ExistsTest(field);
        }
        int opLength = tok.end() - opStart;
        advance();
        if (field.type() == FieldType.PRESENCE) {
            throw error(opStart, opLength, field.name() + " can only be tested for presence",
                    "write '" + field.name() + "' or '!" + field.name() + "'");
        }
        if ((op == Op.CONTAINS || op == Op.MATCHES) && field.type() != FieldType.STRING) {
            throw error(opStart, opLength, "'" + opText + "' needs a string field; " + field.name() + " is "
                    + field.type().withArticle() + " field", null);
        }
        if (op == Op.IN || op == Op.NOT_IN) {
            return new ValueComparison(field, op, set(field, opText));
        }
        Token vt = tok;
        if (vt.kind() != Kind.WORD && vt.kind() != Kind.STRING) {
            throw error(vt, "expected a value after '" + opText + "', found " + vt.describe(), null);
        }
        Field other = vt.kind() == Kind.WORD ? Fields.lookup(vt.text()) : null;
        if (other != null) {
            if (op == Op.MATCHES) {
                throw error(vt, "'" + opText + "' needs a regular expression, found the field '" + other.name() + "'",
                        "quote it to use it as a pattern");
            }
            if (other.type() != field.type()) {
                throw error(vt, "cannot compare " + field.name() + " (" + field.type().label() + ") with "
                        + other.name() + " (" + other.type().label() + ")", null);
            }
            fields.add(other.name());
            advance();
            return new FieldComparison(field, op, other);
        }
        ValueTest test;
        if (op == Op.MATCHES) {
            test = new RegexTest(regex(vt));
        } else if (op == Op.CONTAINS) {
            test = new ContainsTest(vt.value());
        } else {
            Object literal = literal(field, vt);
            if (op.ordering() && literal instanceof IpNetwork n && n.isNetwork()) {
                throw error(vt, "'" + opText + "' cannot compare with a network", "'==' tests membership of " + n);
            }
            if (!op.ordering()) {
                checkChoice(field, vt, literal);
            }
            test = new RelationTest(op.rel, literal);
        }
        advance();
        return new ValueComparison(field, op, test);
    }

    private Field field(Token ft) throws FilterSyntaxException {
        String name = ft.text();
        Field f = Fields.lookup(name);
        if (f != null) {
            return f;
        }
        for (String prefix : new String[] {Fields.RESPONSE_HEADER, Fields.REQUEST_HEADER}) {
            String bare = prefix.substring(0, prefix.length() - 1);
            if (name.equals(bare) || name.equals(prefix)) {
                throw error(ft, "missing header name in '" + name + "'", "write " + prefix + "<name>, e.g. "
                        + prefix + (prefix.equals(Fields.REQUEST_HEADER) ? "user-agent" : "server"));
            }
            if (name.startsWith(prefix)) {
                throw error(ft, "'" + name.substring(prefix.length()) + "' is not a header field name", null);
            }
        }
        String suggestion = Fields.suggest(name);
        throw error(ft, "unknown field '" + name + "'", suggestion == null ? null : "did you mean '" + suggestion + "'?");
    }

    /** A literal of the field's type from a WORD or STRING token: Long, String or IpNetwork. */
    private Object literal(Field field, Token vt) throws FilterSyntaxException {
        return switch (field.type()) {
            case INTEGER -> {
                if (vt.kind() != Kind.WORD) {
                    throw error(vt, "expected an integer for " + field.name() + ", found " + vt.describe(), null);
                }
                yield integer(field, vt);
            }
            case ADDRESS -> {
                if (vt.kind() != Kind.WORD) {
                    throw error(vt, "expected an IP address for " + field.name() + ", found " + vt.describe(), null);
                }
                yield address(field, vt);
            }
            default -> vt.value();
        };
    }

    private Long integer(Field field, Token vt) throws FilterSyntaxException {
        String s = vt.text();
        boolean negative = s.startsWith("-");
        String body = negative ? s.substring(1) : s;
        int radix = 10;
        String digits = body;
        if (body.length() > 2 && body.charAt(0) == '0' && (body.charAt(1) == 'x' || body.charAt(1) == 'X')) {
            radix = 16;
            digits = body.substring(2);
        } else if (body.length() > 2 && body.charAt(0) == '0' && (body.charAt(1) == 'b' || body.charAt(1) == 'B')) {
            radix = 2;
            digits = body.substring(2);
        }
        int r = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c < 128 && Character.digit(c, r) >= 0)) {
            throw error(vt, "expected an integer for " + field.name() + ", found " + vt.describe(), null);
        }
        if (radix == 10 && digits.length() > 1 && digits.charAt(0) == '0') {
            throw error(vt, "'" + s + "' has a leading zero", "Wireshark reads that as octal; write the number without it");
        }
        BigInteger v = new BigInteger(digits, radix);
        if (negative) {
            v = v.negate();
        }
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(field.max())) > 0) {
            throw error(vt, s + " is out of range for " + field.name() + " (0 to " + field.max() + ")", null);
        }
        return v.longValue();
    }

    private IpNetwork address(Field field, Token vt) throws FilterSyntaxException {
        String s = vt.text();
        IpNetwork n;
        try {
            n = IpNetwork.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(vt, e.getMessage(), null);
        }
        if (n == null) {
            boolean name = s.indexOf(':') < 0 && s.chars().anyMatch(Character::isLetter);
            throw error(vt, "'" + s + "' is not an IP address", name
                    ? "host names are not resolved; use tls.sni or http.host to select by name" : null);
        }
        if (field.ipv6Only() && !n.isIpv6()) {
            throw error(vt, "'" + s + "' is not an IPv6 address", field.name() + " holds IPv6 addresses only; "
                    + field.name().replace("ipv6.", "ip.") + " holds both families");
        }
        return n;
    }

    private void checkChoice(Field field, Token vt, Object literal) throws FilterSyntaxException {
        if (!field.choices().isEmpty() && !field.choices().contains(literal)) {
            throw error(vt, vt.describe() + " is not a value of " + field.name(),
                    "it is one of " + String.join(", ", field.choices()));
        }
    }

    /**
     * Compiles a {@code matches} pattern. A bad pattern is reported at the whole literal: the index
     * {@link PatternSyntaxException} gives is only "near" the problem.
     */
    private Pattern regex(Token vt) throws FilterSyntaxException {
        try {
            return Pattern.compile(vt.value(), Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw error(vt, "invalid regular expression " + vt.describe() + ": " + e.getDescription(), null);
        }
    }

    /** {@code {a b, c..d}} after {@code in}: members separated by commas or white space. */
    private SetTest set(Field field, String opText) throws FilterSyntaxException {
        Token open = tok;
        if (open.kind() != Kind.LBRACE) {
            throw error(open, "expected '{' after '" + opText + "', found " + open.describe(), null);
        }
        advance();
        if (tok.kind() == Kind.RBRACE) {
            throw error(open.start(), 2, "empty set", null);
        }
        List<ValueTest> members = new ArrayList<>();
        while (true) {
            if (tok.kind() == Kind.EOF) {
                throw error(open, "unclosed '{'", null);
            }
            members.add(member(field));
            if (tok.kind() == Kind.RBRACE) {
                advance();
                return new SetTest(members.toArray(ValueTest[]::new));
            }
            if (tok.kind() == Kind.COMMA) {
                advance();
            }
        }
    }

    private ValueTest member(Field field) throws FilterSyntaxException {
        Token low = setValue(field, "in the set");
        Object lo = literal(field, low);
        advance();
        if (tok.kind() != Kind.RANGE) {
            checkChoice(field, low, lo);
            return new RelationTest(Rel.EQ, lo);
        }
        advance();
        Token high = setValue(field, "after '..'");
        Object hi = literal(field, high);
        int span = high.end() - low.start();
        if (lo instanceof IpNetwork a && (a.isNetwork() || ((IpNetwork) hi).isNetwork())) {
            throw error(low.start(), span, "a range is between two addresses, not networks", null);
        }
        int c = Values.compareLiterals(lo, hi);
        if (c == IpNetwork.UNORDERED) {
            throw error(low.start(), span, "a range is between two addresses of the same family", null);
        }
        if (c > 0) {
            throw error(low.start(), span, "empty range: " + low.text() + " is above " + high.text(), null);
        }
        advance();
        return new RangeTest(lo, hi);
    }

    private Token setValue(Field field, String where) throws FilterSyntaxException {
        Token t = tok;
        if (t.kind() != Kind.WORD && t.kind() != Kind.STRING) {
            throw error(t, "expected a value " + where + ", found " + t.describe(), null);
        }
        if (t.kind() == Kind.WORD && Fields.lookup(t.text()) != null) {
            throw error(t, "a set holds values, not fields such as '" + t.text() + "'",
                    field.type() == FieldType.STRING ? "quote it to mean the string" : null);
        }
        return t;
    }

    private FilterSyntaxException error(Token t, String problem, String hint) {
        return error(t.start(), Math.max(1, t.length()), problem, hint);
    }

    private FilterSyntaxException error(int index, int length, String problem, String hint) {
        return new FilterSyntaxException(text, index, length, problem, hint);
    }
}
