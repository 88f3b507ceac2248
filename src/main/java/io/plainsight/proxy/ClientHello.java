package io.plainsight.proxy;

import java.util.List;

/**
 * What plainsight reads from a TLS ClientHello before it decides where to connect: the name the
 * client asks for, its ALPN offer, and the lists later fingerprints (JA3/JA4) are made of.
 *
 * @param legacyVersion the client_version field, e.g. 0x0303
 * @param sni the server_name (host_name) or null
 * @param alpn the protocols offered in application_layer_protocol_negotiation, in order; empty if none
 *     (each byte of a name is one char, ISO-8859-1, so a non-ASCII name keeps its bytes)
 * @param cipherSuites cipher suite code points in order
 * @param extensions extension types in order
 * @param supportedGroups supported_groups (elliptic curves), in order
 * @param ecPointFormats ec_point_formats, in order
 * @param supportedVersions supported_versions, in order
 * @param signatureAlgorithms signature_algorithms, in order (for JA4)
 * @param random the 32-byte random (for offline decryption: key logs are keyed by it); shared, do
 *     not modify
 * @param sessionId the legacy_session_id (0 to 32 bytes); shared, do not modify
 * @param sessionTicket the session_ticket extension's data (RFC 5077; empty when the client asks
 *     for a new ticket), or null when the extension is absent; shared, do not modify
 */
public record ClientHello(
        int legacyVersion,
        String sni,
        List<String> alpn,
        List<Integer> cipherSuites,
        List<Integer> extensions,
        List<Integer> supportedGroups,
        List<Integer> ecPointFormats,
        List<Integer> supportedVersions,
        List<Integer> signatureAlgorithms,
        byte[] random,
        byte[] sessionId,
        byte[] sessionTicket) {}
