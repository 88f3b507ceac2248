package io.plainsight.offline.capture;

import java.io.IOException;

/**
 * The input is not a capture the reader can start on (not pcap or pcapng, empty, a header cut
 * short, another compression): nothing was read from it. Problems after the start are warnings.
 */
public final class CaptureFormatException extends IOException {
    public CaptureFormatException(String message) {
        super(message);
    }
}
