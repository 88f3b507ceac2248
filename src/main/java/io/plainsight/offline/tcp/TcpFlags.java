package io.plainsight.offline.tcp;

/** The TCP header flag bits that {@link TcpReassembler#segment} reads, as in the header's low byte. */
public final class TcpFlags {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private TcpFlags() {}
}
