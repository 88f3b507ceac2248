package io.plainsight.http;

import io.plainsight.event.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The permessage-deflate extension (RFC 7692) as a server accepted it in its
 * Sec-WebSocket-Extensions response header.
 *
 * <p>The window sizes need no action when decoding: an inflater with a 32 KiB window (what
 * {@link java.util.zip.Inflater} uses) decodes streams made with any smaller one. They are kept so
 * that what was negotiated can be shown.
 *
 * @param serverNoContextTakeover the server starts each message with an empty window
 * @param clientNoContextTakeover the client starts each message with an empty window
 * @param serverMaxWindowBits the server's LZ77 window (8-15; 15 when not given)
 * @param clientMaxWindowBits the client's LZ77 window (8-15; 15 when not given)
 */
public record PerMessageDeflate(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
        int serverMaxWindowBits, int clientMaxWindowBits) {

    public static final String NAME = "permessage-deflate";

    /**
     * The permessage-deflate offer accepted in {@code extensions} (a Sec-WebSocket-Extensions field
     * value, RFC 6455 9.1), or null when there is none. The first one counts; parameters it does not
     * know, and window sizes outside 8-15, are ignored.
     */
    public static PerMessageDeflate parse(String extensions) {
        if (extensions == null) {
            return null;
        }
        for (String extension : split(extensions, ',')) {
            List<String> parts = split(extension, ';');
            if (parts.isEmpty() || !parts.get(0).trim().equalsIgnoreCase(NAME)) {
                continue;
            }
            boolean serverNoContext = false;
            boolean clientNoContext = false;
            int serverBits = 15;
            int clientBits = 15;
            for (String param : parts.subList(1, parts.size())) {
                int eq = param.indexOf('=');
                String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : unquote(param.substring(eq + 1).trim());
                switch (name) {
                    case "server_no_context_takeover" -> serverNoContext = true;
                    case "client_no_context_takeover" -> clientNoContext = true;
                    case "server_max_window_bits" -> serverBits = windowBits(value, serverBits);
                    case "client_max_window_bits" -> clientBits = windowBits(value, clientBits);
                    default -> { }
                }
            }
            return new PerMessageDeflate(serverNoContext, clientNoContext, serverBits, clientBits);
        }
        return null;
    }

    /** Whether the sender of {@code direction} starts every message with an empty window. */
    public boolean noContextTakeover(Direction direction) {
        return direction == Direction.CLIENT_TO_SERVER ? clientNoContextTakeover : serverNoContextTakeover;
    }

    private static int windowBits(String value, int otherwise) {
        if (value == null || value.length() > 2) {
            return otherwise;
        }
        try {
            int bits = Integer.parseInt(value);
            return bits >= 8 && bits <= 15 ? bits : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** Splits on {@code separator} outside quoted strings. */
    private static List<String> split(String s, char separator) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }
}
