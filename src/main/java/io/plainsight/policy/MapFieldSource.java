package io.plainsight.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link FieldSource} backed by a map, for tests and for callers that collect the values up
 * front. {@link #put} checks the key ({@link Fields#keyType}) and the types of the values, so a
 * mistake shows where it is made rather than as a filter that never matches.
 */
public final class MapFieldSource implements FieldSource {
    private final Map<String, List<Object>> values = new HashMap<>();

    /**
     * Sets the values of {@code key}, replacing any; {@link Integer}s become {@link Long}s. No
     * values makes the key absent.
     *
     * @throws IllegalArgumentException for a key no field reads (e.g. {@code ip.addr}: put
     *     {@code ip.src} and {@code ip.dst}) or a value of the wrong type
     */
    public MapFieldSource put(String key, Object... values) {
        FieldType type = Fields.keyType(key);
        if (type == null) {
            throw new IllegalArgumentException("'" + key + "' is not a field source key; keys are "
                    + String.join(", ", Fields.keys().keySet()) + ", http.header.<name>, http.response.header.<name>"
                    + " (header names in lower case)");
        }
        List<Object> list = new ArrayList<>(values.length);
        for (Object v : values) {
            Object value = v instanceof Integer i ? Long.valueOf(i) : v;
            if (!accepts(type, value)) {
                throw Field.wrongType(key, type, value);
            }
            list.add(value);
        }
        if (list.isEmpty()) {
            this.values.remove(key);
        } else {
            this.values.put(key, List.copyOf(list));
        }
        return this;
    }

    private static boolean accepts(FieldType type, Object value) {
        return switch (type) {
            case ADDRESS -> value instanceof java.net.InetAddress;
            case INTEGER -> value instanceof Long;
            case STRING -> value instanceof String;
            case PRESENCE -> value != null;
        };
    }

    /** Marks a presence key ({@code http.request}, {@code websocket}) present. */
    public MapFieldSource present(String key) {
        return put(key, Boolean.TRUE);
    }

    @Override
    public List<Object> values(String key) {
        return values.getOrDefault(key, List.of());
    }

    @Override
    public String toString() {
        return "MapFieldSource" + new TreeMap<>(values);
    }
}
