package io.plainsight.offline.tls;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions seen earlier in the capture, for abbreviated handshakes (TLS 1.2 and earlier) that
 * resume them by session ID (RFC 5246 7.3) or by session ticket (RFC 5077), in this connection
 * (renegotiation) or a later one. Shared by all connections of a {@link DecryptionKeys}; the
 * oldest entries go beyond {@value #LIMIT} of each kind. Thread-safe.
 */
final class SessionCache {
    static final int LIMIT = 200_000;

    /** A session's master secret and the parameters it was agreed with. */
    record Session(byte[] masterSecret, int version, int cipherSuite, String keySource) {}

    private final Map<Bytes, Session> byId = lru();
    private final Map<Bytes, Session> byTicket = lru();

    private static Map<Bytes, Session> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Bytes, Session> eldest) {
                return size() > LIMIT;
            }
        };
    }

    synchronized void putId(byte[] sessionId, Session s) {
        if (sessionId != null && sessionId.length > 0) {
            byId.put(new Bytes(sessionId), s);
        }
    }

    synchronized void putTicket(byte[] ticket, Session s) {
        if (ticket != null && ticket.length > 0) {
            byTicket.put(new Bytes(ticket), s);
        }
    }

    synchronized Session byId(byte[] sessionId) {
        return sessionId == null || sessionId.length == 0 ? null : byId.get(new Bytes(sessionId));
    }

    synchronized Session byTicket(byte[] ticket) {
        return ticket == null || ticket.length == 0 ? null : byTicket.get(new Bytes(ticket));
    }
}
