package io.plainsight.offline.capture;

/**
 * What {@link CaptureReader#next} finds, in file order. The reader calls these on the thread that
 * called {@code next}; a listener that throws stops that call, and the record it was given is
 * already consumed (reading on goes on with the next record).
 */
public interface CaptureListener {
    /** One TCP segment (after link, IP and fragment handling). The payload buffer is only valid during the call. */
    void segment(TcpSegment segment);

    /**
     * A Decryption Secrets Block (pcapng), in file order: type {@link #TLS_KEY_LOG} (0x544c534b,
     * "TLSK") is TLS key log text (NSS format). Secrets apply from where they appear: the segments
     * delivered before this call came before the block in the file.
     *
     * @param data the secrets, a fresh array the listener may keep
     * @param position byte offset of the block in the file (in the decompressed data of a gzip file)
     */
    void secrets(int secretsType, byte[] data, long position);

    /**
     * A packet that is not TCP over IP, or is cut by the snaplen inside its headers, etc.: counted
     * by the caller; the reason is for the report. The reasons of common cases are constant strings.
     * IP fragments are reported once per datagram they could not complete (with the packet number of
     * its first fragment); fragments of a datagram that completes are not reported.
     */
    default void skipped(long packetNumber, String reason) {}

    /**
     * Something wrong in the file itself (truncation, a corrupt block, an unsupported link type):
     * the message names the file, the byte offset, the packet number where known, what is wrong, and
     * what the reader does about it. Reading goes on where it can.
     */
    void warning(String message);

    /**
     * Whether this listener wants every packet record as read ({@link #packet}); asked once when a
     * reader opens. False by default: the readers then make no call for it.
     */
    default boolean wantsPackets() {
        return false;
    }

    /**
     * One packet record exactly as read, called after its segment (if any) went to
     * {@link #segment}: the interface it was captured on, its link type, its timestamp and its
     * captured bytes, which are valid only during the call. Only when {@link #wantsPackets} said
     * so. Records of an interface no block describes are not passed.
     *
     * @param interfaceName names the input and the interface: "FILE" for a pcap file, "FILE#N" for
     *     the N-th Interface Description Block of a pcapng file (counted across its sections)
     * @param originalLength the length on the wire (more than {@code length} when the snaplen cut it)
     */
    default void packet(long packetNumber, long timestampMicros, String interfaceName, int linkType, byte[] data,
            int offset, int length, long originalLength) {}

    /** {@link #secrets} type of TLS key log text. */
    int TLS_KEY_LOG = 0x544c534b;
}
