package io.plainsight.proxy.socks;

/** A malformed or unsupported SOCKS message; the message names the cause. */
public final class SocksException extends Exception {
    public SocksException(String message) {
        super(message);
    }
}
