package io.plainsight.sink.metrics;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code host} label of the HTTP metrics, bounded: the first {@code limit} distinct hosts seen
 * keep their own name (lower case, without the port); every later one is counted as "other", so a
 * forward proxy that meets thousands of hosts still exports a fixed number of series. A value that
 * is not a plausible host name or address literal is "invalid"; none is "none". Not thread-safe.
 */
final class HostLabels {
    static final String OTHER = "other";
    static final String NONE = "none";
    static final String INVALID = "invalid";

    private final int limit;
    private final Set<String> admitted = new HashSet<>();

    private String lastAuthority;
    private String lastLabel;

    HostLabels(int limit) {
        this.limit = limit;
    }

    /** The label for {@code authority} (a Host header or :authority value, "host[:port]", or an address). */
    String label(String authority) {
        // an authority's label never changes (admitted hosts stay, the limit stays reached): the
        // last one is remembered, as most exchanges in a row name the same host
        if (authority != null && authority.equals(lastAuthority)) {
            return lastLabel;
        }
        String label = labelOf(authority);
        lastAuthority = authority;
        lastLabel = label;
        return label;
    }

    private String labelOf(String authority) {
        String host = normalize(authority);
        if (host == null) {
            return NONE;
        }
        if (host.equals(INVALID) || admitted.contains(host)) {
            return host;
        }
        if (admitted.size() < limit) {
            admitted.add(host);
            return host;
        }
        return OTHER;
    }

    /** Lower case, port and trailing dot removed; "invalid" for anything but a name or an address literal. */
    static String normalize(String authority) {
        if (authority == null) {
            return null;
        }
        String s = authority.trim();
        if (s.isEmpty()) {
            return null;
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return INVALID;
            }
            s = s.substring(0, close + 1);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
                s = s.substring(0, colon);
            }
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 253) {
            return INVALID;
        }
        s = s.toLowerCase(Locale.ROOT);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'
                    || c == ':' || c == '[' || c == ']';
            if (!ok) {
                return INVALID;
            }
        }
        return s;
    }
}
