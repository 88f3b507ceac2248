package io.plainsight.proxy.socks;

/** How a SOCKS request names its destination. */
public enum SocksAddressType {
    /** A dotted IPv4 address (SOCKS5 ATYP 1, or SOCKS4). */
    IPV4,
    /** A host name to be resolved by the proxy (SOCKS5 ATYP 3, or SOCKS4a). */
    DOMAIN,
    /** An IPv6 address (SOCKS5 ATYP 4). */
    IPV6
}
