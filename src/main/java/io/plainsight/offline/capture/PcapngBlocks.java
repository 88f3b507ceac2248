package io.plainsight.offline.capture;

import static io.plainsight.offline.capture.Bytes.i32;
import static io.plainsight.offline.capture.Bytes.u16;
import static io.plainsight.offline.capture.Bytes.u32;

import java.io.IOException;
import java.util.Arrays;

/**
 * pcapng: blocks of {@code type, total length, body, total length}, in sections that each start
 * with a Section Header Block (which sets the byte order) and number their interfaces from 0.
 *
 * <p>Packets come from Enhanced, Simple and (obsolete) Packet Blocks, with each interface's link
 * type, {@code if_tsresol} and {@code if_tsoffset}. A Simple Packet Block has no timestamp: it
 * gets the last timestamp seen. Decryption Secrets Blocks go to {@link CaptureListener#secrets}
 * where they stand. Custom and systemd Journal Export blocks are numbered like packets and
 * skipped, because tshark (4.0) numbers them as frames and packet numbers are tshark's frame
 * numbers. Name Resolution, Interface Statistics and unknown blocks are passed over.
 *
 * <p>A block whose length cannot be right (not a multiple of 4, too small for its type, above
 * {@link #MAX_BLOCK}, or a trailing copy that differs and no block after it) is reported and the
 * reader looks for the next block: a known type, a valid length and a matching trailing length. A
 * last block cut short is used as far as it goes (a packet's captured part).
 */
final class PcapngBlocks implements RecordFormat {
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int PB = 2;
    static final int SPB = 3;
    static final int NRB = 4;
    static final int ISB = 5;
    static final int EPB = 6;
    static final int DSB = 0x0A;
    /** systemd Journal Export Block. */
    static final int SJE = 9;
    static final int CB_COPY = 0x0BAD;
    static final int CB_NO_COPY = 0x40000BAD;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** A block longer than this is corrupt. */
    static final int MAX_BLOCK = 32 << 20;
    /** While resynchronizing, only blocks up to this length are taken for real ones. */
    private static final int RESYNC_MAX_BLOCK = 4 << 20;

    private static final int OPT_ENDOFOPT = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;

    private final CaptureInput in;
    private final PacketDecoder decoder;
    private boolean bigEndian;
    private CaptureInterface[] interfaces = new CaptureInterface[4];
    private int interfaceCount;
    /** Interface Description Blocks read so far, in every section (names interfaces for {@link CaptureListener#packet}). */
    private int interfacesSeen;
    private long packets;
    private long lastTimestamp;
    private boolean warnedCut;
    /** What the listener of the current {@link #next} call said. */
    private boolean wantsPackets;
    private boolean warnedSpbWithoutInterface;
    private boolean warnedNoSuchInterface;
    private static final String NO_SUCH_INTERFACE = "packet of an interface no block describes";

    PcapngBlocks(CaptureInput in, PacketDecoder decoder) {
        this.in = in;
        this.decoder = decoder;
    }

    static boolean isMagic(int firstWord) {
        return firstWord == SHB;
    }

    @Override
    public long packets() {
        return packets;
    }

    @Override
    public String description() {
        StringBuilder s = new StringBuilder("pcapng (").append(bigEndian ? "big-endian" : "little-endian");
        for (int i = 0; i < interfaceCount; i++) {
            CaptureInterface f = interfaces[i];
            s.append(", interface ").append(i).append(": ").append(LinkTypes.name(f.linkType()));
            if (!f.unit().equals(TimestampUnit.MICROS)) {
                s.append(" ").append(f.unit());
            }
        }
        return s.append(")").toString();
    }

    @Override
    public boolean next(CaptureListener l) throws IOException {
        wantsPackets = l.wantsPackets();
        long pos = in.position();
        if (!in.request(8)) {
            if (in.available() > 0) {
                l.warning(in.name() + ": the file ends inside a block header at " + in.at(pos) + " (" + in.available()
                        + " of 8 bytes, after packet " + packets + "); what came before is used");
                in.consumeAll();
            }
            return false;
        }
        byte[] b = in.array();
        int s = in.start();
        int type = i32(b, s, bigEndian);
        if (type == SHB) {
            if (!in.request(12)) {
                l.warning(in.name() + ": the file ends inside a section header block at " + in.at(pos)
                        + "; what came before is used");
                in.consumeAll();
                return false;
            }
            b = in.array();
            s = in.start();
            int bom = i32(b, s + 8, true);
            if (bom == BYTE_ORDER_MAGIC) {
                bigEndian = true;
            } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                bigEndian = false;
            } else {
                l.warning(in.name() + ": bad section header block at " + in.at(pos) + " (after packet " + packets
                        + "): byte-order magic " + Bytes.hex(b, s + 8, 4) + "; looking for the next block");
                return resync(l, pos);
            }
        }
        long length = u32(b, s + 4, bigEndian);
        if (!validLength(type, length, MAX_BLOCK)) {
            l.warning(in.name() + ": bad block at " + in.at(pos) + " (after packet " + packets + "): the " + typeName(type)
                    + "'s total length " + length + " is not valid; looking for the next block");
            return resync(l, pos);
        }
        int len = (int) length;
        if (!in.request(len)) {
            return shortBlock(l, pos, type, len);
        }
        b = in.array();
        s = in.start();
        int trailer = i32(b, s + len - 4, bigEndian);
        if (trailer != len) {
            if (!followedByBlock(len)) {
                l.warning(in.name() + ": bad block at " + in.at(pos) + " (after packet " + packets + "): the "
                        + typeName(type) + " says its length is " + len + " at its start and "
                        + Integer.toUnsignedString(trailer) + " at its end; looking for the next block");
                return resync(l, pos);
            }
            l.warning(in.name() + ": the " + typeName(type) + " at " + in.at(pos) + " has a trailing length of "
                    + Integer.toUnsignedString(trailer) + " instead of " + len + "; a valid block follows, so it is used");
            b = in.array();
            s = in.start();
        }
        in.consume(len); // its bytes stay in place until the next request
        block(l, type, b, s, len, pos);
        return true;
    }

    private void block(CaptureListener l, int type, byte[] b, int s, int len, long pos) {
        switch (type) {
            case EPB -> packet(l, pos, b, s, len, i32(b, s + 8, bigEndian), 28, 32);
            case PB -> packet(l, pos, b, s, len, u16(b, s + 8, bigEndian), 28, 32);
            case SPB -> simplePacket(l, pos, b, s, len);
            case IDB -> interfaceDescription(l, pos, b, s, len);
            case DSB -> secrets(l, pos, b, s, len);
            case SHB -> sectionHeader(l, pos, b, s);
            case CB_COPY, CB_NO_COPY, SJE -> {
                // not packets, but tshark numbers them as frames: counted so that packet numbers stay tshark's
                packets++;
                l.skipped(packets, type == SJE ? "pcapng systemd journal export block" : "pcapng custom block");
            }
            default -> { } // NRB, ISB and unknown blocks: nothing a decryptor needs
        }
    }

    private void sectionHeader(CaptureListener l, long pos, byte[] b, int s) {
        int major = u16(b, s + 12, bigEndian);
        int minor = u16(b, s + 14, bigEndian);
        if (major != 1) {
            l.warning(in.name() + ": section header block at " + in.at(pos) + " has pcapng version " + major + "."
                    + minor + " (expected 1.0); reading on as 1.0");
        }
        interfaceCount = 0; // interface numbers are per section
    }

    private void interfaceDescription(CaptureListener l, long pos, byte[] b, int s, int len) {
        int linkType = u16(b, s + 8, bigEndian);
        long snaplen = u32(b, s + 12, bigEndian);
        TimestampUnit unit = TimestampUnit.MICROS;
        long offsetMicros = 0;
        int id = interfaceCount;
        int o = s + 16;
        int end = s + len - 4;
        while (o + 4 <= end) {
            int code = u16(b, o, bigEndian);
            int optLen = u16(b, o + 2, bigEndian);
            if (code == OPT_ENDOFOPT) {
                break;
            }
            if (o + 4 + optLen > end) {
                l.warning(in.name() + ": interface " + id + " (block at " + in.at(pos) + "): option " + code
                        + " runs past its block; the options after it are ignored");
                break;
            }
            if (code == IF_TSRESOL && optLen >= 1) {
                TimestampUnit u = TimestampUnit.of(b[o + 4] & 0xFF);
                if (u == null) {
                    l.warning(in.name() + ": interface " + id + " (block at " + in.at(pos) + "): if_tsresol 0x"
                            + Integer.toHexString(b[o + 4] & 0xFF) + " is not usable; microseconds assumed");
                } else {
                    unit = u;
                }
            } else if (code == IF_TSOFFSET && optLen >= 8) {
                long hi = u32(b, o + 4, bigEndian);
                long lo = u32(b, o + 8, bigEndian);
                long seconds = bigEndian ? (hi << 32) | lo : (lo << 32) | hi;
                offsetMicros = seconds * 1_000_000L;
            }
            o += 4 + ((optLen + 3) & ~3);
        }
        if (interfaceCount == interfaces.length) {
            interfaces = Arrays.copyOf(interfaces, interfaces.length * 2);
        }
        interfaces[interfaceCount++] = new CaptureInterface(linkType, snaplen, unit, offsetMicros,
                in.name() + "#" + interfacesSeen++);
        if (!LinkTypes.supported(linkType)) {
            l.warning(in.name() + ": interface " + id + " (block at " + in.at(pos) + "): "
                    + LinkTypes.unsupported(linkType));
        }
    }

    private void packet(CaptureListener l, long pos, byte[] b, int s, int len, int interfaceId, int dataOffset,
            int overhead) {
        packets++;
        if (interfaceId < 0 || interfaceId >= interfaceCount) {
            if (!warnedNoSuchInterface) {
                warnedNoSuchInterface = true;
                l.warning(in.name() + ": packet " + packets + " at " + in.at(pos) + " refers to interface "
                        + Integer.toUnsignedString(interfaceId) + ", but " + interfaceCount + " are described; such"
                        + " packets are skipped (said once per file)");
            }
            l.skipped(packets, NO_SUCH_INTERFACE);
            return;
        }
        CaptureInterface f = interfaces[interfaceId];
        long units = (u32(b, s + 12, bigEndian) << 32) | u32(b, s + 16, bigEndian);
        long captured = u32(b, s + 20, bigEndian);
        long original = u32(b, s + 24, bigEndian);
        int space = len - overhead;
        boolean cut = original > captured;
        if (captured > space) {
            l.warning(in.name() + ": packet " + packets + " at " + in.at(pos) + ": captured length " + captured
                    + " is more than its block holds (" + space + " bytes); those are used");
            captured = space;
            cut = true;
        }
        if (cut && !warnedCut) {
            warnCut(l, pos, captured, original);
        }
        long ts = f.micros(units);
        lastTimestamp = ts;
        decoder.decode(packets, ts, f.linkType(), b, s + dataOffset, (int) captured, cut, l);
        if (wantsPackets) {
            l.packet(packets, ts, f.name(), f.linkType(), b, s + dataOffset, (int) captured, Math.max(original, captured));
        }
    }

    private void simplePacket(CaptureListener l, long pos, byte[] b, int s, int len) {
        packets++;
        if (interfaceCount == 0) {
            if (!warnedSpbWithoutInterface) {
                warnedSpbWithoutInterface = true;
                l.warning(in.name() + ": simple packet block at " + in.at(pos) + " (packet " + packets
                        + ") but no interface is described; such packets are skipped");
            }
            l.skipped(packets, NO_SUCH_INTERFACE);
            return;
        }
        CaptureInterface f = interfaces[0];
        long original = u32(b, s + 8, bigEndian);
        long captured = Math.min(original, len - 16);
        if (f.snaplen() > 0) {
            captured = Math.min(captured, f.snaplen());
        }
        boolean cut = original > captured;
        if (cut && !warnedCut) {
            warnCut(l, pos, captured, original);
        }
        // a simple packet block has no timestamp: the last one seen stands in
        decoder.decode(packets, lastTimestamp, f.linkType(), b, s + 12, (int) captured, cut, l);
        if (wantsPackets) {
            l.packet(packets, lastTimestamp, f.name(), f.linkType(), b, s + 12, (int) captured, original);
        }
    }

    private void warnCut(CaptureListener l, long pos, long captured, long original) {
        warnedCut = true;
        l.warning(in.name() + ": packet " + packets + " at " + in.at(pos) + " is cut by the snaplen (" + captured
                + " of " + original + " bytes captured); segments of such packets are marked truncated, or skipped"
                + " when the cut falls inside their headers (said once per file)");
    }

    private void secrets(CaptureListener l, long pos, byte[] b, int s, int len) {
        int secretsType = i32(b, s + 8, bigEndian);
        long secretsLength = u32(b, s + 12, bigEndian);
        if (secretsLength > len - 20) {
            l.warning(in.name() + ": decryption secrets block at " + in.at(pos) + " (after packet " + packets
                    + "): secrets length " + secretsLength + " is more than the block holds (" + (len - 20)
                    + " bytes); the block is skipped");
            return;
        }
        l.secrets(secretsType, Arrays.copyOfRange(b, s + 16, s + 16 + (int) secretsLength), pos);
    }

    /** The file ends inside the block at {@code pos}: a cut file, or a corrupt length. */
    private boolean shortBlock(CaptureListener l, long pos, int type, int len) throws IOException {
        int have = in.available();
        for (int i = 1; i + 12 <= in.available(); i++) {
            if (isBlockAt(i)) {
                l.warning(in.name() + ": bad block at " + in.at(pos) + " (after packet " + packets + "): the "
                        + typeName(type) + "'s length " + len + " runs past the end of the file; resumed at "
                        + in.at(pos + i) + " after skipping " + i + " bytes");
                in.consume(i);
                return true;
            }
        }
        byte[] b = in.array();
        int s = in.start();
        int header = type == EPB || type == PB ? 28 : Integer.MAX_VALUE;
        if (have >= header) {
            int interfaceId = type == EPB ? i32(b, s + 8, bigEndian) : u16(b, s + 8, bigEndian);
            long captured = u32(b, s + 20, bigEndian);
            int part = (int) Math.min(captured, have - 28);
            l.warning(in.name() + ": packet " + (packets + 1) + " at " + in.at(pos) + " is cut short: the file ends after "
                    + have + " of its block's " + len + " bytes; the " + part + " captured bytes that are there are used");
            in.consumeAll();
            // the block is parsed as if it ended there: 'len' covers exactly what is held
            packetCut(l, pos, b, s, interfaceId, part);
            return true;
        }
        l.warning(in.name() + ": the file ends inside a " + typeName(type) + " at " + in.at(pos) + " (" + have + " of "
                + len + " bytes, after packet " + packets + "); what came before is used");
        in.consumeAll();
        return false;
    }

    private void packetCut(CaptureListener l, long pos, byte[] b, int s, int interfaceId, int part) {
        packets++;
        if (interfaceId < 0 || interfaceId >= interfaceCount) {
            l.skipped(packets, NO_SUCH_INTERFACE);
            return;
        }
        CaptureInterface f = interfaces[interfaceId];
        long ts = f.micros((u32(b, s + 12, bigEndian) << 32) | u32(b, s + 16, bigEndian));
        decoder.decode(packets, ts, f.linkType(), b, s + 28, part, true, l);
        if (wantsPackets) {
            l.packet(packets, ts, f.name(), f.linkType(), b, s + 28, part, Math.max(part, u32(b, s + 24, bigEndian)));
        }
    }

    /**
     * Skips from the bad block at {@code badPos} (the input's position) to the next valid block;
     * false if none is left. A block found in the other byte order starts a section whose header
     * was lost: the reader switches to that order and numbers interfaces from 0 again.
     */
    private boolean resync(CaptureListener l, long badPos) throws IOException {
        in.consume(1);
        while (true) {
            if (!in.request(12)) {
                long lost = in.position() + in.available() - badPos;
                l.warning(in.name() + ": no valid block after " + in.at(badPos) + " to the end of the file; its last "
                        + lost + " bytes are not used");
                in.consumeAll();
                return false;
            }
            if (isBlockAt(0)) {
                String order = "";
                boolean be = plausibleHeader(0) > 0;
                if (be != bigEndian && i32(in.array(), in.start(), be) != SHB) {
                    bigEndian = be;
                    interfaceCount = 0;
                    order = " (in the other byte order: a new section whose header is lost; its interfaces are"
                            + " numbered from 0)";
                }
                l.warning(in.name() + ": resumed at " + in.at(in.position()) + " after skipping "
                        + (in.position() - badPos) + " unreadable bytes" + order);
                return true;
            }
            in.consume(1);
        }
    }

    /** After a block of {@code len} bytes whose trailing length is wrong: is a valid block header (or the end) next? */
    private boolean followedByBlock(int len) throws IOException {
        if (!in.request(len + 12)) {
            return in.available() == len;
        }
        return plausibleHeader(len) != 0;
    }

    /** A block of a known type and valid length at relative offset {@code i}, whose trailing length matches. */
    private boolean isBlockAt(int i) throws IOException {
        if (!in.request(i + 12)) {
            return false;
        }
        int order = plausibleHeader(i);
        if (order == 0) {
            return false;
        }
        boolean be = order > 0;
        byte[] b = in.array();
        int s = in.start() + i;
        int type = i32(b, s, be);
        int len = i32(b, s + 4, be);
        if (len > RESYNC_MAX_BLOCK) {
            return false;
        }
        if ((type == EPB || type == PB) && in.request(i + 28)) {
            b = in.array();
            s = in.start() + i;
            long iface = type == EPB ? u32(b, s + 8, be) : u16(b, s + 8, be);
            if (iface >= Math.max(interfaceCount, 1) || u32(b, s + 20, be) > len - 32) {
                return false;
            }
        }
        if (!in.request(i + len)) {
            return false;
        }
        return i32(in.array(), in.start() + i + len - 4, be) == len;
    }

    /**
     * Whether relative offset {@code i} (12 bytes held) starts a block header of a known type and
     * valid length: 1 in big-endian, -1 in little-endian (a section header says which; other blocks
     * are tried in the section's order first), 0 if not.
     */
    private int plausibleHeader(int i) {
        int order = plausibleHeader(i, bigEndian);
        return order != 0 ? order : plausibleHeader(i, !bigEndian);
    }

    private int plausibleHeader(int i, boolean be) {
        byte[] b = in.array();
        int s = in.start() + i;
        int type = i32(b, s, be);
        if (type == SHB) {
            int bom = i32(b, s + 8, true);
            if (bom == BYTE_ORDER_MAGIC) {
                be = true;
            } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                be = false;
            } else {
                return 0;
            }
        } else if (!knownType(type)) {
            return 0;
        }
        return validLength(type, u32(b, s + 4, be), MAX_BLOCK) ? (be ? 1 : -1) : 0;
    }

    private static boolean knownType(int type) {
        return switch (type) {
            case SHB, IDB, PB, SPB, NRB, ISB, EPB, DSB, SJE, CB_COPY, CB_NO_COPY -> true;
            default -> false;
        };
    }

    private static boolean validLength(int type, long length, int max) {
        return length >= minLength(type) && length <= max && (length & 3) == 0;
    }

    private static int minLength(int type) {
        return switch (type) {
            case SHB -> 28;
            case IDB -> 20;
            case EPB, PB -> 32;
            case SPB -> 16;
            case ISB -> 24;
            case DSB -> 20;
            default -> 12;
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case SHB -> "section header block";
            case IDB -> "interface description block";
            case PB -> "packet block";
            case SPB -> "simple packet block";
            case NRB -> "name resolution block";
            case ISB -> "interface statistics block";
            case EPB -> "enhanced packet block";
            case DSB -> "decryption secrets block";
            case SJE -> "systemd journal export block";
            case CB_COPY, CB_NO_COPY -> "custom block";
            default -> "block of type 0x" + Integer.toHexString(type);
        };
    }
}
