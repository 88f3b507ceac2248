package io.plainsight.sink.pcapng;

import io.netty.buffer.ByteBuf;
import io.plainsight.sink.pcap.FrameOutput;
import java.util.function.Supplier;

/**
 * Synthesized frames, and secrets, into a {@link PcapngOutput}: the {@link FrameOutput} that
 * {@code ConversationTracker} and {@code TcpConversation} write to. Before handing it frames, the
 * caller {@link #select selects} the interface they belong to and, optionally, a comment for the
 * first of them. Each file gets the Interface Description Blocks its packets need before them, and
 * after a new Section Header (a new file) or a failure, a Decryption Secrets Block repeating the
 * secrets of the connections still open, so that every file decrypts on its own.
 */
final class PcapngWriter implements FrameOutput {
    private final PcapngOutput output;
    private final InterfaceTable interfaces = new InterfaceTable();
    /** The key log lines of the connections still open (empty when none or not wanted). */
    private final Supplier<byte[]> openSecrets;
    private int seenGeneration;

    private InterfaceKey key;
    private byte[] comment;
    private boolean commentUsed;

    private boolean discarding;
    private int frameLength;
    private int blockLength;
    private byte[] frameComment;

    PcapngWriter(PcapngOutput output, Supplier<byte[]> openSecrets) {
        this.output = output;
        this.openSecrets = openSecrets;
        this.seenGeneration = output.generation();
    }

    /** The interface of the frames that follow, and a comment for the first of them (null: none). */
    void select(InterfaceKey key, String comment) {
        this.key = key;
        this.comment = comment == null ? null : PcapngFormat.utf8(comment);
        this.commentUsed = false;
    }

    /** Whether a frame since the last {@link #select} took its comment. */
    boolean commentUsed() {
        return commentUsed;
    }

    /**
     * Writes a Decryption Secrets Block of TLS key log lines (dropped while the output is failing),
     * after the Interface Description Block of {@code key}, the interface of the packets they
     * decrypt, if the file has none yet (editcap refuses a file whose secrets precede every interface).
     */
    void secrets(long timestampMicros, byte[] keyLogLines, InterfaceKey key) {
        if (keyLogLines.length == 0) {
            return;
        }
        if (prepare(timestampMicros, PcapngFormat.decryptionSecretsLength(keyLogLines.length), key) >= 0) {
            PcapngFormat.writeDecryptionSecrets(output.buffer(), PcapngFormat.SECRETS_TLS_KEY_LOG, keyLogLines);
        }
    }

    /**
     * Writes one packet as it was read (an input's packet, {@code plainsight decrypt}) on
     * interface {@code key}: its frame, and its length on the wire ({@code originalLength}, more
     * when the input's snaplen cut it).
     */
    void original(InterfaceKey key, long timestampMicros, ByteBuf frame, long originalLength) {
        int n = frame.readableBytes();
        int total = PcapngFormat.enhancedPacketLength(n, null);
        int id = prepare(timestampMicros, total, key);
        if (id < 0) {
            output.packetLost(n);
            return;
        }
        ByteBuf b = output.buffer();
        PcapngFormat.writeEnhancedPacketHeader(b, total, id, timestampMicros, n, Math.max(originalLength, n));
        b.writeBytes(frame, frame.readerIndex(), n);
        PcapngFormat.writeEnhancedPacketTrailer(b, total, n, null);
        output.packetWritten(n);
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        this.frameLength = frameLength;
        this.frameComment = comment;
        if (comment != null) {
            comment = null;
            commentUsed = true;
        }
        this.blockLength = PcapngFormat.enhancedPacketLength(frameLength, frameComment);
        int id = prepare(timestampMicros, blockLength, key);
        discarding = id < 0;
        if (discarding) {
            return output.discard(blockLength);
        }
        ByteBuf b = output.buffer();
        PcapngFormat.writeEnhancedPacketHeader(b, blockLength, id, timestampMicros, frameLength);
        return b;
    }

    @Override
    public void end() {
        if (discarding) {
            output.packetLost(frameLength);
            return;
        }
        PcapngFormat.writeEnhancedPacketTrailer(output.buffer(), blockLength, frameLength, frameComment);
        output.packetWritten(frameLength);
    }

    /**
     * {@link PcapngOutput#prepare}; then, when the file is new or lost blocks, forgets the
     * interfaces it no longer holds; then writes the Interface Description Block of {@code key} if
     * the file lacks it, and after a new section or a loss the open connections' secrets. Returns
     * the interface id of {@code key}, or -1 when the output is failing.
     */
    private int prepare(long timestampMicros, int blockBytes, InterfaceKey key) {
        if (!output.prepare(timestampMicros, blockBytes)) {
            return -1;
        }
        boolean resync = output.generation() != seenGeneration;
        if (resync) {
            seenGeneration = output.generation();
            interfaces.keepFirst(output.interfaces());
        }
        int id = interfaces.idFor(key, output);
        if (resync) {
            byte[] open = openSecrets.get();
            if (open.length > 0) {
                output.reserve(PcapngFormat.decryptionSecretsLength(open.length) + blockBytes);
                PcapngFormat.writeDecryptionSecrets(output.buffer(), PcapngFormat.SECRETS_TLS_KEY_LOG, open);
            }
        }
        return id;
    }
}
