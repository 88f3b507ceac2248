package io.plainsight.proxy.socks;

/** A SOCKS message that does not follow RFC 1928, RFC 1929 or the SOCKS4/4a protocol; the message names the cause. */
public final class SocksException extends Exception {
    public SocksException(String message) {
        super(message);
    }
}
