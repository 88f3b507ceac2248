package io.plainsight.proxy.socks;

/**
 * A username/password sub-negotiation request (RFC 1929), both decoded as UTF-8.
 *
 * @param username the user name, possibly empty
 * @param password the password, possibly empty
 */
public record SocksCredentials(String username, String password) {
    @Override
    public String toString() {
        return "SocksCredentials[username=" + username + ", password=***]";
    }
}
