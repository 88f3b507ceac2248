package io.plainsight.proxy.socks;

import java.util.List;

/**
 * The first message of a SOCKS5 client (RFC 1928 section 3).
 *
 * @param methods the authentication methods offered, in wire order (at least one)
 */
public record Socks5Greeting(List<Integer> methods) {
    public Socks5Greeting {
        methods = List.copyOf(methods);
    }

    /** Whether the client offers {@code method}. */
    public boolean offers(int method) {
        return methods.contains(method);
    }
}
