package io.plainsight.offline.capture;

/**
 * What a pcap file header or a pcapng Interface Description Block says about the packets of one
 * interface.
 *
 * @param offsetMicros {@code if_tsoffset} (seconds) in microseconds, added to every timestamp
 * @param name the input and the interface, for {@link CaptureListener#packet}: "FILE#N"
 */
record CaptureInterface(int linkType, long snaplen, TimestampUnit unit, long offsetMicros, String name) {
    CaptureInterface(int linkType, long snaplen, TimestampUnit unit, long offsetMicros) {
        this(linkType, snaplen, unit, offsetMicros, null);
    }

    boolean supported() {
        return LinkTypes.supported(linkType);
    }

    long micros(long units) {
        return unit.toMicros(units) + offsetMicros;
    }
}
