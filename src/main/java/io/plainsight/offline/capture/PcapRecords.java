package io.plainsight.offline.capture;

import static io.plainsight.offline.capture.Bytes.i32;
import static io.plainsight.offline.capture.Bytes.u16;
import static io.plainsight.offline.capture.Bytes.u32;

import io.plainsight.sink.pcap.PcapFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The classic libpcap format: a 24-byte file header (magic a1b2c3d4 for microsecond or a1b23c4d
 * for nanosecond timestamps, written in either byte order), then 16-byte record headers each
 * followed by the captured bytes.
 *
 * <p>A record header that cannot be right (a captured length above {@link #MAX_CAPTURED}, or above
 * {@link #USUAL_MAX} without a plausible record after it) is reported and the reader looks for the
 * next record: a plausible header (see {@link #plausible}) followed by another or by the end of
 * the file. A last record cut short is used as far as it goes.
 */
final class PcapRecords implements RecordFormat {
    static final int MAGIC_MICROS = PcapFormat.MAGIC_MICROS;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int FILE_HEADER = PcapFormat.GLOBAL_HEADER_BYTES;
    static final int RECORD_HEADER = PcapFormat.RECORD_HEADER_BYTES;
    /** libpcap's and Wireshark's largest snaplen for most link types; larger records need a plausible successor. */
    static final int USUAL_MAX = 262_144;
    /** A captured length above this is corrupt, whatever follows it. */
    static final int MAX_CAPTURED = 16 << 20;
    /** While resynchronizing, a timestamp this far from the last good one is not plausible. */
    private static final long RESYNC_MAX_SECONDS_APART = 7L * 24 * 3600;

    private final CaptureInput in;
    private final PacketDecoder decoder;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkType;
    private final long snaplen;
    private final List<String> startWarnings = new ArrayList<>();
    private long packets;
    private long lastSeconds = -1;
    private boolean warnedCut;

    private PcapRecords(CaptureInput in, PacketDecoder decoder, boolean bigEndian, boolean nanos, int linkType,
            long snaplen) {
        this.in = in;
        this.decoder = decoder;
        this.bigEndian = bigEndian;
        this.nanos = nanos;
        this.linkType = linkType;
        this.snaplen = snaplen;
    }

    /** True if {@code magic} (read big-endian) starts a pcap file. */
    static boolean isMagic(int magic) {
        return magic == MAGIC_MICROS || magic == MAGIC_NANOS
                || magic == Integer.reverseBytes(MAGIC_MICROS) || magic == Integer.reverseBytes(MAGIC_NANOS);
    }

    /** Reads the file header at the start of {@code in}, whose first 4 bytes passed {@link #isMagic}. */
    static PcapRecords open(CaptureInput in, PacketDecoder decoder) throws IOException {
        if (!in.request(FILE_HEADER)) {
            throw new CaptureFormatException(in.name() + ": the pcap file header is cut short: the file ends after "
                    + in.available() + " of its " + FILE_HEADER + " bytes");
        }
        byte[] b = in.array();
        int s = in.start();
        int magic = i32(b, s, true);
        boolean be = magic == MAGIC_MICROS || magic == MAGIC_NANOS;
        boolean nanos = magic == MAGIC_NANOS || magic == Integer.reverseBytes(MAGIC_NANOS);
        int major = u16(b, s + 4, be);
        int minor = u16(b, s + 6, be);
        long snaplen = u32(b, s + 16, be);
        // the low 16 bits are the link type; the top bits may carry FCS information
        int linkType = i32(b, s + 20, be) & 0xFFFF;
        PcapRecords r = new PcapRecords(in, decoder, be, nanos, linkType, snaplen);
        if (major != 2) {
            r.startWarnings.add(in.name() + ": pcap version " + major + "." + minor
                    + " in the file header (expected 2.4); reading on as 2.4");
        }
        if (!LinkTypes.supported(linkType)) {
            r.startWarnings.add(in.name() + ": " + in.at(in.position() + 20) + " (file header): "
                    + LinkTypes.unsupported(linkType));
        }
        in.consume(FILE_HEADER);
        return r;
    }

    @Override
    public long packets() {
        return packets;
    }

    @Override
    public String description() {
        return "pcap (" + (nanos ? "nanosecond" : "microsecond") + " timestamps, "
                + (bigEndian ? "big-endian" : "little-endian") + ", " + LinkTypes.name(linkType) + ")";
    }

    int linkType() {
        return linkType;
    }

    @Override
    public boolean next(CaptureListener l) throws IOException {
        if (!startWarnings.isEmpty()) {
            startWarnings.forEach(l::warning);
            startWarnings.clear();
        }
        long pos = in.position();
        if (!in.request(RECORD_HEADER)) {
            if (in.available() > 0) {
                l.warning(in.name() + ": the file ends inside the record header of packet " + (packets + 1) + " at "
                        + in.at(pos) + " (" + in.available() + " of " + RECORD_HEADER + " bytes); the packets before it are used");
                in.consumeAll();
            }
            return false;
        }
        byte[] b = in.array();
        int s = in.start();
        long captured = u32(b, s + 8, bigEndian);
        if (captured > MAX_CAPTURED || (captured > Math.max(USUAL_MAX, snaplen) && !followedByRecord((int) captured))) {
            l.warning(in.name() + ": bad record header at " + in.at(pos) + " (after packet " + packets
                    + "): captured length " + captured + " is too large; looking for the next record");
            return resync(l, pos);
        }
        int caplen = (int) captured;
        if (!in.request(RECORD_HEADER + caplen)) {
            return shortRecord(l, pos, caplen);
        }
        b = in.array();
        s = in.start();
        long original = u32(b, s + 12, bigEndian);
        long seconds = u32(b, s, bigEndian);
        long fraction = u32(b, s + 4, bigEndian);
        lastSeconds = seconds;
        packets++;
        in.consume(RECORD_HEADER + caplen);
        boolean cut = original > caplen;
        if (cut && !warnedCut) {
            warnCut(l, pos, caplen, original);
        }
        long ts = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
        decoder.decode(packets, ts, linkType, b, s + RECORD_HEADER, caplen, cut, l);
        if (l.wantsPackets()) {
            l.packet(packets, ts, in.name(), linkType, b, s + RECORD_HEADER, caplen, Math.max(original, caplen));
        }
        return true;
    }

    private void warnCut(CaptureListener l, long pos, long caplen, long original) {
        warnedCut = true;
        l.warning(in.name() + ": packet " + packets + " at " + in.at(pos) + " is cut by the snaplen (" + caplen + " of "
                + original + " bytes captured); segments of such packets are marked truncated, or skipped when the cut"
                + " falls inside their headers (said once per file)");
    }

    /** The file ends inside the data of the record at {@code pos}: a cut file, or a corrupt length. */
    private boolean shortRecord(CaptureListener l, long pos, int caplen) throws IOException {
        int resume = findRecord(1);
        if (resume > 0) {
            l.warning(in.name() + ": bad record header at " + in.at(pos) + " (after packet " + packets
                    + "): captured length " + caplen + " runs past the end of the file; resumed at "
                    + in.at(pos + resume) + " after skipping " + resume + " bytes");
            in.consume(resume);
            return true;
        }
        byte[] b = in.array();
        int s = in.start();
        int have = in.available() - RECORD_HEADER;
        long seconds = u32(b, s, bigEndian);
        long fraction = u32(b, s + 4, bigEndian);
        packets++;
        l.warning(in.name() + ": packet " + packets + " at " + in.at(pos) + " is cut short: the file ends after " + have
                + " of its " + caplen + " captured bytes; the part that is there is used");
        in.consumeAll();
        long ts = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
        decoder.decode(packets, ts, linkType, b, s + RECORD_HEADER, have, true, l);
        if (l.wantsPackets()) {
            l.packet(packets, ts, in.name(), linkType, b, s + RECORD_HEADER, have, Math.max(caplen, have));
        }
        return true;
    }

    /**
     * Skips from the bad record header at {@code badPos} (the input's position) to the next
     * plausible record; false if none is left.
     */
    private boolean resync(CaptureListener l, long badPos) throws IOException {
        in.consume(1);
        while (true) {
            if (!in.request(RECORD_HEADER)) {
                long lost = in.position() + in.available() - badPos;
                l.warning(in.name() + ": no valid record after " + in.at(badPos) + " to the end of the file; its last "
                        + lost + " bytes are not used");
                in.consumeAll();
                return false;
            }
            if (isRecordAt(0)) {
                l.warning(in.name() + ": resumed at " + in.at(in.position()) + " after skipping "
                        + (in.position() - badPos) + " unreadable bytes");
                return true;
            }
            in.consume(1);
        }
    }

    /** The first relative offset from {@code from} where a record starts, within what is held; -1 if none. */
    private int findRecord(int from) throws IOException {
        for (int i = from; i + RECORD_HEADER <= in.available(); i++) {
            if (isRecordAt(i)) {
                return i;
            }
        }
        return -1;
    }

    /** A plausible record header at relative offset {@code i}, followed by another or by the end of the file. */
    private boolean isRecordAt(int i) throws IOException {
        if (!plausible(i)) {
            return false;
        }
        int caplen = i32(in.array(), in.start() + i + 8, bigEndian);
        int next = i + RECORD_HEADER + caplen;
        if (in.request(next + RECORD_HEADER)) {
            return plausible(next);
        }
        return in.available() >= next; // the file ends after this record (maybe inside the next header)
    }

    /**
     * A strict check of a record header while resynchronizing: a captured length within the usual
     * maximum and not above the original length, a sub-second field in range, and a time within a
     * week of the last good record.
     */
    private boolean plausible(int i) {
        byte[] b = in.array();
        int s = in.start() + i;
        long caplen = u32(b, s + 8, bigEndian);
        long original = u32(b, s + 12, bigEndian);
        long fraction = u32(b, s + 4, bigEndian);
        long seconds = u32(b, s, bigEndian);
        return caplen <= Math.max(USUAL_MAX, Math.min(snaplen, MAX_CAPTURED)) && original >= caplen && original > 0
                && original <= MAX_CAPTURED && fraction < (nanos ? 1_000_000_000L : 1_000_000L)
                && (lastSeconds < 0 || Math.abs(seconds - lastSeconds) <= RESYNC_MAX_SECONDS_APART);
    }

    /** For a large captured length: true if a plausible record header (or the end of the file) follows the record. */
    private boolean followedByRecord(int caplen) throws IOException {
        int next = RECORD_HEADER + caplen;
        if (in.request(next + RECORD_HEADER)) {
            return plausible(next);
        }
        return in.available() >= next;
    }
}
