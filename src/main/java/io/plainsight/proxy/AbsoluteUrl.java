package io.plainsight.proxy;

import java.util.Locale;

/** An absolute-form {@code http://host[:port]/path?query} request target, as proxies receive them. */
record AbsoluteUrl(String host, int port, String pathAndQuery) {

    /** The parts of {@code target}, or null when it is not an {@code http://} URL with a host. */
    static AbsoluteUrl parse(String target) {
        if (target == null || target.length() < 8 || !target.substring(0, 7).toLowerCase(Locale.ROOT).equals("http://")) {
            return null;
        }
        int start = 7;
        int end = target.length();
        for (int i = start; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = target.substring(start, end);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return null;
        }
        String rest = end < target.length() ? target.substring(end) : "/";
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        if (!rest.startsWith("/")) {
            rest = "/" + rest;
        }
        HostPort hp;
        try {
            boolean hasPort = authority.startsWith("[") ? authority.indexOf("]:") > 0 : authority.indexOf(':') >= 0;
            hp = HostPort.parse("URL", hasPort ? authority : (authority.startsWith("[") ? authority + ":80" : authority + ":80"));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (hp.port() == 0) {
            return null;
        }
        return new AbsoluteUrl(hp.host(), hp.port(), rest);
    }

    HostPort hostPort() {
        return new HostPort(host, port);
    }

    /** The Host header value for this URL (the port only when not 80). */
    String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == 80 ? h : h + ":" + port;
    }
}
