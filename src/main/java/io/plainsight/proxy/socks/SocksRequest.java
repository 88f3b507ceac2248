package io.plainsight.proxy.socks;

/**
 * A SOCKS5 request (RFC 1928 section 4) or a SOCKS4/4a request.
 *
 * @param version 5, or 4 for both SOCKS4 and SOCKS4a
 * @param command the command code as sent ({@link SocksCodec#CMD_CONNECT}, ...); unknown codes
 *     are kept so that the proxy can answer "command not supported"
 * @param host a dotted IPv4 address, a domain name as sent, or an IPv6 address in RFC 5952 text
 *     form without brackets (IPv4-mapped addresses as {@code ::ffff:a.b.c.d})
 * @param port the destination port, 0..65535
 * @param type how the destination was named
 * @param userId the SOCKS4/4a USERID field (ISO-8859-1 decoded, possibly empty); null for SOCKS5
 */
public record SocksRequest(int version, int command, String host, int port, SocksAddressType type, String userId) {}
