package io.plainsight.proxy.socks;

/** RFC 1929 username/password. */
public record SocksCredentials(String username, String password) {
    @Override
    public String toString() {
        return "SocksCredentials[" + username + ":***]";
    }
}
