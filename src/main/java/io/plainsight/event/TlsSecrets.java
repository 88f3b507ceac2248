package io.plainsight.event;

/**
 * Key material of one TLS handshake on one leg, as NSS key log lines ("CLIENT_RANDOM &lt;hex&gt;
 * &lt;hex&gt;" for TLS 1.2 and older; CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0, EXPORTER_SECRET and CLIENT_EARLY_TRAFFIC_SECRET
 * for TLS 1.3), each line ending in '\n'. Published as the TLS library reports them, before the
 * {@link TlsEstablished} of that leg where the library allows, and never before the connection's
 * {@link ConnectionOpened} (a source holds them back until then). Offline ({@code plainsight
 * decrypt}, only when some sink takes the wire) they come as the decryptor finds them, which may
 * be before the connection's lazily published {@code ConnectionOpened}, and always before the
 * {@link CapturedPacket} whose reading found them; connection id 0 carries a Decryption Secrets
 * Block of the input itself.
 *
 * <p>Used by the key log sink (written as is) and by the PCAPNG sink (a Decryption Secrets Block
 * written before the packets they decrypt).
 */
public record TlsSecrets(long connectionId, long timestampMicros, Leg leg, String keyLogLines)
        implements CaptureEvent {}
