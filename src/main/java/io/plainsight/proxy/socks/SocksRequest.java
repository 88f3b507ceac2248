package io.plainsight.proxy.socks;

/**
 * A SOCKS4/4a/5 request.
 *
 * @param version 4 or 5
 * @param command CONNECT, BIND or UDP ASSOCIATE (see {@link SocksCodec})
 * @param host dotted IPv4, the domain name as sent, or IPv6 text (no brackets)
 * @param userId SOCKS4/4a only, else null
 */
public record SocksRequest(int version, int command, String host, int port, SocksAddressType type, String userId) {}
