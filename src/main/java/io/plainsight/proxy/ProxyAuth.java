package io.plainsight.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Credentials the forward proxy requires (HTTP Basic proxy authentication, SOCKS5 username/password). */
public record ProxyAuth(String user, String password) {

    /** Parses {@code user:password} (the password may contain colons). */
    public static ProxyAuth parse(String source, String text) {
        String s = text == null ? "" : text.strip();
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(source + ": expected USER:PASSWORD");
        }
        return new ProxyAuth(s.substring(0, colon), s.substring(colon + 1));
    }

    /** Whether a {@code Proxy-Authorization} header value carries these credentials. */
    public boolean acceptsHeader(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip();
        if (v.length() < 6 || !v.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(v.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether SOCKS5 username/password credentials match. */
    public boolean accepts(String givenUser, String givenPassword) {
        return MessageDigest.isEqual(bytes(givenUser), bytes(user)) & MessageDigest.isEqual(bytes(givenPassword), bytes(password));
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ProxyAuth[" + user + ":***]";
    }
}
