package io.plainsight.proxy.socks;

/** How a SOCKS request names its destination. */
public enum SocksAddressType { IPV4, DOMAIN, IPV6 }
