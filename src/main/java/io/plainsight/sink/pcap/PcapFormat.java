package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;

/**
 * The classic libpcap file format as we write it: little-endian, microsecond timestamps
 * (magic 0xa1b2c3d4), version 2.4, snaplen 262144, link type 1 (Ethernet).
 */
public final class PcapFormat {
    private PcapFormat() {}

    public static final int MAGIC_MICROS = 0xA1B2C3D4;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int SNAPLEN = 262_144;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_BYTES = 24;
    public static final int RECORD_HEADER_BYTES = 16;

    /** Writes the 24-byte global header. */
    public static void writeGlobalHeader(ByteBuf out) {
        out.writeIntLE(MAGIC_MICROS);
        out.writeShortLE(VERSION_MAJOR);
        out.writeShortLE(VERSION_MINOR);
        out.writeIntLE(0); // thiszone: timestamps are UTC
        out.writeIntLE(0); // sigfigs
        out.writeIntLE(SNAPLEN);
        out.writeIntLE(LINKTYPE_ETHERNET);
    }

    /** Writes a 16-byte record header for a frame captured whole ({@code incl_len == orig_len}). */
    public static void writeRecordHeader(ByteBuf out, long timestampMicros, int frameLength) {
        out.writeIntLE((int) Math.floorDiv(timestampMicros, 1_000_000L));
        out.writeIntLE((int) Math.floorMod(timestampMicros, 1_000_000L));
        out.writeIntLE(frameLength);
        out.writeIntLE(frameLength);
    }
}
