package io.plainsight.proxy;

import io.netty.channel.Channel;
import java.security.cert.X509Certificate;

/**
 * A connected (and, for TLS, handshaken) upstream leg.
 *
 * @param alpn the protocol the upstream selected, or null
 * @param leaf the upstream's leaf certificate, or null for plaintext or anonymous upstreams
 */
record Upstream(Channel channel, String alpn, X509Certificate leaf) {}
