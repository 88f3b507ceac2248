package io.plainsight.proxy;

import java.net.InetSocketAddress;

/**
 * A host and port as typed on the command line: {@code HOST:PORT}, {@code [IPv6]:PORT}, or for
 * listen addresses {@code [IP:]PORT} (the address defaults to loopback).
 */
public record HostPort(String host, int port) {

    /** Parses {@code HOST:PORT}; the host is required. */
    public static HostPort parse(String option, String text) {
        HostPort hp = parseLoose(option, text, null);
        if (hp.host == null || hp.host.isEmpty()) {
            throw new IllegalArgumentException(option + " '" + text + "': expected HOST:PORT");
        }
        return hp;
    }

    /** Parses {@code [IP:]PORT}; a bare port listens on 127.0.0.1. */
    public static HostPort parseListen(String option, String text) {
        return parseLoose(option, text, "127.0.0.1");
    }

    private static HostPort parseLoose(String option, String text, String defaultHost) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(option + ": missing value");
        }
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(option + " '" + text + "': expected [IPv6]:PORT");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                host = defaultHost;
                port = s;
            } else if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException(option + " '" + text + "': write IPv6 addresses in brackets, e.g. [::1]:8443");
            } else {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + text + "': port '" + port + "' is not a number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(option + " '" + text + "': port " + p + " is out of range 0-65535");
        }
        return new HostPort(host, p);
    }

    /** An unresolved socket address (resolved when connecting). */
    public InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** True when the host is an IPv4 or IPv6 literal rather than a name. */
    public boolean isIpLiteral() {
        return isIpLiteral(host);
    }

    public static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
