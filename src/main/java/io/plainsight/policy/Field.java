package io.plainsight.policy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * A filter field: its name as typed in expressions, its type, the {@link FieldSource} keys its
 * values are read from, and a description for help text. Obtain fields from {@link Fields}.
 */
public final class Field {
    /** Which part of the traffic a field describes (lets callers know whether HTTP decoding is needed). */
    public enum Layer { CONNECTION, TLS, HTTP, WEBSOCKET }

    private final String name;
    private final FieldType type;
    private final Layer layer;
    private final String[] keys;
    private final long max;
    private final boolean ipv6Only;
    private final List<String> choices;
    private final String description;

    Field(String name, FieldType type, Layer layer, String[] keys, long max, boolean ipv6Only,
            List<String> choices, String description) {
        this.name = name;
        this.type = type;
        this.layer = layer;
        this.keys = keys;
        this.max = max;
        this.ipv6Only = ipv6Only;
        this.choices = choices;
        this.description = description;
    }

    /** The canonical name, e.g. {@code tcp.port} or {@code http.header.user-agent}. */
    public String name() {
        return name;
    }

    public FieldType type() {
        return type;
    }

    public Layer layer() {
        return layer;
    }

    /** The source keys whose values together are this field's values ({@code ip.addr}: ip.src, ip.dst). */
    public List<String> keys() {
        return List.of(keys);
    }

    String[] keyArray() {
        return keys;
    }

    /** INTEGER: the largest value (the smallest is 0). */
    public long max() {
        return max;
    }

    /** ADDRESS: whether only IPv6 values count ({@code ipv6.addr}). */
    public boolean ipv6Only() {
        return ipv6Only;
    }

    /** STRING: the only values it can have (plainsight.mode), or an empty list. */
    public List<String> choices() {
        return choices;
    }

    public String description() {
        return description;
    }

    /**
     * Whether a value read from {@code key} counts for this field (false: an IPv4 address for an
     * IPv6-only field).
     *
     * @throws IllegalArgumentException if the source gave a value of the wrong Java type
     */
    boolean accepts(String key, Object value) {
        switch (type) {
            case ADDRESS -> {
                if (value instanceof InetAddress a) {
                    return !ipv6Only || a instanceof Inet6Address;
                }
            }
            case INTEGER -> {
                if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return true;
                }
            }
            case STRING -> {
                if (value instanceof String) {
                    return true;
                }
            }
            case PRESENCE -> {
                if (value != null) {
                    return true;
                }
            }
        }
        throw wrongType(key, type, value);
    }

    static IllegalArgumentException wrongType(String key, FieldType type, Object value) {
        String expected = switch (type) {
            case ADDRESS -> "java.net.InetAddress";
            case INTEGER -> "java.lang.Long";
            case STRING -> "java.lang.String";
            case PRESENCE -> "a non-null value";
        };
        return new IllegalArgumentException("FieldSource value for '" + key + "' is "
                + (value == null ? "null" : "a " + value.getClass().getName() + " (" + value + ")")
                + "; " + type.label() + " fields take " + expected);
    }

    @Override
    public String toString() {
        return name;
    }
}
