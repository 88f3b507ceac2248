package io.plainsight.offline.capture;

/**
 * What a pcap file header or a pcapng Interface Description Block says about the packets of one
 * interface.
 *
 * @param offsetMicros {@code if_tsoffset} (seconds) in microseconds, added to every timestamp
 */
record CaptureInterface(int linkType, long snaplen, TimestampUnit unit, long offsetMicros) {
    boolean supported() {
        return LinkTypes.supported(linkType);
    }

    long micros(long units) {
        return unit.toMicros(units) + offsetMicros;
    }
}
