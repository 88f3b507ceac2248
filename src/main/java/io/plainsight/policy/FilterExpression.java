package io.plainsight.policy;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A filter expression ({@code --filter EXPR}) in Wireshark's display-filter style, parsed once at
 * start-up and evaluated per connection or exchange.
 *
 * <pre>
 * expr       = or
 * or         = and { ("||" | "or") and }
 * and        = unary { ("&amp;&amp;" | "and") unary }          ("&amp;&amp;" binds tighter than "||")
 * unary      = ("!" | "not") unary | "(" expr ")" | test
 * test       = field                                     presence: http.request, tls.sni
 *            | field cmp value                           value: a literal, or another field
 *            | field ("contains" | "matches" | "~") value
 *            | field ["not"] "in" "{" member { [","] member } "}"
 * member     = literal [ ".." literal ]                  ranges: tcp.port in {8000..8999}
 * cmp        = "==" | "!=" | "===" | "!==" | "~=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
 *            | eq any_eq | ne all_ne | all_eq | any_ne | lt | le | gt | ge
 * literal    = "string" | r"raw string" | word
 * </pre>
 *
 * <ul>
 *   <li>Fields are listed by {@link Fields}; an unknown field is an error. Keywords are
 *       case-insensitive, field names are not (header names in {@code http.header.<name>} are).</li>
 *   <li>Multi-valued fields ({@code ip.addr} is ip.src and ip.dst; {@code tcp.port}; repeated
 *       headers): {@code ==}, {@code <}, {@code contains}, {@code matches}, {@code in} and
 *       {@code !==} hold when ANY value passes; {@code !=} (all_ne) and {@code ===} (all_eq) hold
 *       when the field is present and EVERY value passes; {@code not in} holds when no value is a
 *       member (also when the field is absent, as {@code !(f in {...})}). As in Wireshark 4,
 *       {@code ip.addr != 10.0.0.5} is false for a connection from 10.0.0.5 to anywhere, and any
 *       comparison but {@code not in} is false when the field is absent; {@code !(f == x)} is true
 *       then.</li>
 *   <li>Addresses: IPv4 or IPv6, optionally a CIDR network ({@code ip.addr == 10.0.0.0/8}: some
 *       address in the network). Host names are not resolved.</li>
 *   <li>Integers: decimal, {@code 0x} hex, {@code 0b} binary; a leading zero is rejected
 *       (Wireshark reads it as octal). Values beyond the field's range are rejected.</li>
 *   <li>Strings: double-quoted with escapes {@code \" \\ \xNN \NNN \a \b \f \n \r \t \v}, raw
 *       {@code r"..."} (a backslash stays; {@code \"} does not end it), or an unquoted word that is
 *       not a field name ({@code http.request.method == POST}). {@code ==} and ordering compare
 *       exactly; {@code contains} is a case-sensitive substring test; {@code matches} is a
 *       {@link java.util.regex.Pattern} searched anywhere in the value, case-insensitive unless the
 *       pattern starts with {@code (?-i)}.</li>
 *   <li>Two fields of one type compare value by value: {@code tcp.srcport < tcp.dstport}.</li>
 * </ul>
 *
 * <p>Immutable and safe to share between threads. Evaluation allocates nothing of its own (a
 * {@code matches} test reuses one Matcher per thread; IPv4 addresses are compared as ints); an IPv6
 * address value costs one 16-byte {@code getAddress()} copy per comparison.
 */
public final class FilterExpression {
    private final String text;
    private final Node root;
    private final Set<String> fields;

    FilterExpression(String text, Node root, Set<String> fields) {
        this.text = text;
        this.root = root;
        this.fields = Collections.unmodifiableSet(new LinkedHashSet<>(fields));
    }

    /**
     * Parses and type-checks {@code text}.
     *
     * @throws FilterSyntaxException naming the first problem from the left and its position
     */
    public static FilterExpression parse(String text) throws FilterSyntaxException {
        return new FilterParser(Objects.requireNonNull(text, "filter text")).parse();
    }

    /** Syntax summary and field table for {@code --help}. */
    public static String help() {
        return """
                Filter expressions (Wireshark display-filter style):
                  ip.addr == 10.0.0.5 && tcp.port == 39836
                  http.host contains "api" || http.request.uri matches "^/admin"
                  http.response.code >= 500 && !(plainsight.mode == proxy)
                  tcp.port in {80, 443, 8000..8999}
                Operators: == != === !== < <= > >= contains matches in {...} not in {...}
                  (words: eq ne all_eq any_ne lt le gt ge ~ any_eq all_ne), && || ! and or not, ( ).
                  A multi-valued field (ip.addr, tcp.port, repeated headers) passes == when any
                  value is equal, != when every value differs. A bare field tests presence.
                  Strings: "double quoted" with \\" \\\\ \\xNN escapes, r"raw", or a bare word;
                  contains is case-sensitive, matches is a case-insensitive regular expression.
                  Addresses may be networks: ip.addr == 10.0.0.0/8, ip.addr == 2001:db8::/32.
                Fields:
                """ + Fields.help();
    }

    /** Whether the connection or exchange whose fields {@code source} gives passes the filter. */
    public boolean matches(FieldSource source) {
        return root.eval(source);
    }

    /**
     * The fields the expression names, canonical ({@code http.header.user-agent}), in order of
     * first use. {@link Fields#lookup} gives each one's {@link Field#layer()} and {@link Field#keys()}.
     */
    public Set<String> fields() {
        return fields;
    }

    /** Whether the expression names a field of {@code layer} (e.g. whether it needs HTTP decoding). */
    public boolean uses(Field.Layer layer) {
        for (String name : fields) {
            if (Fields.lookup(name).layer() == layer) {
                return true;
            }
        }
        return false;
    }

    Node root() {
        return root;
    }

    /** The expression as given to {@link #parse}. */
    public String text() {
        return text;
    }

    /**
     * The expression in canonical form: symbol operators ({@code && || ! == != === !==}), minimal
     * parentheses, quoted strings, decimal integers, normalized addresses. It parses back to an
     * expression with the same canonical form and the same results.
     */
    public String canonical() {
        StringBuilder out = new StringBuilder();
        root.print(out);
        return out.toString();
    }

    /** The canonical form. */
    @Override
    public String toString() {
        return canonical();
    }
}
