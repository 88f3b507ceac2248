package io.plainsight.policy;

/** The type of a filter field: what its values are and which operators apply. */
public enum FieldType {
    /** IPv4 or IPv6 address; literals are addresses or CIDR networks. All comparisons. */
    ADDRESS("address", "an IP address"),
    /** Unsigned integer (ports, status codes, lengths, ids); decimal, 0x hex or 0b binary literals. */
    INTEGER("integer", "an integer"),
    /** String; all comparisons, {@code contains} and {@code matches}. */
    STRING("string", "a string"),
    /** No value: the field can only be tested for presence ({@code http.request}). */
    PRESENCE("presence", "a presence-only field");

    private final String label;
    private final String article;

    FieldType(String label, String article) {
        this.label = label;
        this.article = article;
    }

    /** Short name for help text: "address", "integer", "string", "presence". */
    public String label() {
        return label;
    }

    /** For messages: "an integer", "a string", ... */
    String withArticle() {
        return article;
    }
}
