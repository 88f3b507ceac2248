package io.plainsight.sink.pcapng;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The pcapng blocks we write (draft-ietf-opsawg-pcapng), little-endian, every block and option
 * padded to 4 bytes: Section Header (with {@code shb_userappl}), Interface Description (link type,
 * snap length, {@code if_name}, {@code if_description}, {@code if_tsresol} 6 = microseconds),
 * Enhanced Packet (with an optional {@code opt_comment}) and Decryption Secrets (type
 * {@link #SECRETS_TLS_KEY_LOG}: NSS key log lines). Pure: bytes into a caller's buffer, no I/O.
 *
 * <p>An option list, when a block has one, ends with {@code opt_endofopt}; a block without options
 * has none (not even the end marker), as the format allows.
 */
public final class PcapngFormat {
    private PcapngFormat() {}

    public static final int SECTION_HEADER = 0x0A0D0D0A;
    public static final int INTERFACE_DESCRIPTION = 0x00000001;
    public static final int ENHANCED_PACKET = 0x00000006;
    public static final int DECRYPTION_SECRETS = 0x0000000A;
    public static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** Decryption Secrets Block type "TLSK": TLS key log (NSS format). */
    public static final int SECRETS_TLS_KEY_LOG = 0x544C534B;

    static final int OPT_ENDOFOPT = 0;
    static final int OPT_COMMENT = 1;
    static final int SHB_USERAPPL = 4;
    static final int IF_NAME = 2;
    static final int IF_DESCRIPTION = 3;
    static final int IF_TSRESOL = 9;
    /** {@code if_tsresol} value: 10^-6 s, the resolution of every event timestamp. */
    static final int TSRESOL_MICROS = 6;

    /** Block type, total length (twice), and the EPB's fixed fields. */
    static final int EPB_FIXED = 4 + 4 + 20 + 4;

    /** {@code n} rounded up to a multiple of 4. */
    public static int pad4(int n) {
        return (n + 3) & ~3;
    }

    /** The bytes an option with a value of {@code valueLength} bytes takes (header and padding). */
    static int optionLength(int valueLength) {
        return 4 + pad4(valueLength);
    }

    /** Writes a Section Header Block: version 1.0, section length unknown (-1), {@code shb_userappl}. */
    public static void writeSectionHeader(ByteBuf out, String userAppl) {
        byte[] appl = utf8(userAppl);
        int options = appl.length > 0 ? optionLength(appl.length) + 4 : 0;
        int total = 4 + 4 + 4 + 2 + 2 + 8 + options + 4;
        out.writeIntLE(SECTION_HEADER);
        out.writeIntLE(total);
        out.writeIntLE(BYTE_ORDER_MAGIC);
        out.writeShortLE(1);
        out.writeShortLE(0);
        out.writeLongLE(-1L);
        if (appl.length > 0) {
            writeOption(out, SHB_USERAPPL, appl);
            writeEndOfOptions(out);
        }
        out.writeIntLE(total);
    }

    /**
     * Writes an Interface Description Block with {@code if_name}, {@code if_description} (each left
     * out when null or empty) and {@code if_tsresol} 6.
     */
    public static void writeInterfaceDescription(ByteBuf out, int linkType, int snapLength, String name,
            String description) {
        byte[] n = utf8(name);
        byte[] d = utf8(description);
        int options = (n.length > 0 ? optionLength(n.length) : 0) + (d.length > 0 ? optionLength(d.length) : 0)
                + optionLength(1) + 4;
        int total = 4 + 4 + 2 + 2 + 4 + options + 4;
        out.writeIntLE(INTERFACE_DESCRIPTION);
        out.writeIntLE(total);
        out.writeShortLE(linkType);
        out.writeShortLE(0);
        out.writeIntLE(snapLength);
        if (n.length > 0) {
            writeOption(out, IF_NAME, n);
        }
        if (d.length > 0) {
            writeOption(out, IF_DESCRIPTION, d);
        }
        writeOption(out, IF_TSRESOL, new byte[] {TSRESOL_MICROS});
        writeEndOfOptions(out);
        out.writeIntLE(total);
    }

    /** The total length of an Enhanced Packet Block of a {@code frameLength}-byte frame and this comment (null: none). */
    public static int enhancedPacketLength(int frameLength, byte[] comment) {
        int options = comment != null && comment.length > 0 ? optionLength(comment.length) + 4 : 0;
        return EPB_FIXED + pad4(frameLength) + options;
    }

    /**
     * Writes an Enhanced Packet Block up to its packet data: the caller then writes exactly
     * {@code frameLength} bytes and calls {@link #writeEnhancedPacketTrailer}.
     *
     * @param totalLength {@link #enhancedPacketLength} of the same frame length and comment
     */
    public static void writeEnhancedPacketHeader(ByteBuf out, int totalLength, int interfaceId, long timestampMicros,
            int frameLength) {
        writeEnhancedPacketHeader(out, totalLength, interfaceId, timestampMicros, frameLength, frameLength);
    }

    /**
     * As {@link #writeEnhancedPacketHeader(ByteBuf, int, int, long, int)}, for a frame of
     * {@code originalLength} bytes on the wire of which {@code frameLength} were captured.
     */
    public static void writeEnhancedPacketHeader(ByteBuf out, int totalLength, int interfaceId, long timestampMicros,
            int frameLength, long originalLength) {
        out.writeIntLE(ENHANCED_PACKET);
        out.writeIntLE(totalLength);
        out.writeIntLE(interfaceId);
        out.writeIntLE((int) (timestampMicros >>> 32));
        out.writeIntLE((int) timestampMicros);
        out.writeIntLE(frameLength); // captured
        out.writeIntLE((int) originalLength);
    }

    /** Writes what follows the packet data: padding, the comment option (if any), the total length. */
    public static void writeEnhancedPacketTrailer(ByteBuf out, int totalLength, int frameLength, byte[] comment) {
        out.writeZero(pad4(frameLength) - frameLength);
        if (comment != null && comment.length > 0) {
            writeOption(out, OPT_COMMENT, comment);
            writeEndOfOptions(out);
        }
        out.writeIntLE(totalLength);
    }

    /** Writes a whole Enhanced Packet Block holding {@code frame} (comment: null for none). */
    public static void writeEnhancedPacket(ByteBuf out, int interfaceId, long timestampMicros, byte[] frame,
            String comment) {
        byte[] c = comment == null ? null : utf8(comment);
        int total = enhancedPacketLength(frame.length, c);
        writeEnhancedPacketHeader(out, total, interfaceId, timestampMicros, frame.length);
        out.writeBytes(frame);
        writeEnhancedPacketTrailer(out, total, frame.length, c);
    }

    /** The total length of a Decryption Secrets Block holding {@code secretsLength} bytes. */
    public static int decryptionSecretsLength(int secretsLength) {
        return 4 + 4 + 4 + 4 + pad4(secretsLength) + 4;
    }

    /** Writes a Decryption Secrets Block (no options). */
    public static void writeDecryptionSecrets(ByteBuf out, int secretsType, byte[] secrets) {
        int total = decryptionSecretsLength(secrets.length);
        out.writeIntLE(DECRYPTION_SECRETS);
        out.writeIntLE(total);
        out.writeIntLE(secretsType);
        out.writeIntLE(secrets.length);
        out.writeBytes(secrets);
        out.writeZero(pad4(secrets.length) - secrets.length);
        out.writeIntLE(total);
    }

    private static void writeOption(ByteBuf out, int code, byte[] value) {
        out.writeShortLE(code);
        out.writeShortLE(value.length);
        out.writeBytes(value);
        out.writeZero(pad4(value.length) - value.length);
    }

    private static void writeEndOfOptions(ByteBuf out) {
        out.writeShortLE(OPT_ENDOFOPT);
        out.writeShortLE(0);
    }

    /**
     * UTF-8 bytes of an option string (empty for null), cut to at most 65532 bytes on a character
     * boundary: an option's length field has 16 bits.
     */
    static byte[] utf8(String s) {
        if (s == null) {
            return new byte[0];
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 65_532) {
            return b;
        }
        int n = 65_532;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--; // do not cut inside a character
        }
        return java.util.Arrays.copyOf(b, n);
    }
}
