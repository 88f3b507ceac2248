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

    /** Writes a Decryption Secrets Block of TLS key log lines (dropped while the output is failing). */
    void secrets(long timestampMicros, byte[] keyLogLines) {
        if (keyLogLines.length == 0) {
            return;
        }
        if (prepare(timestampMicros, PcapngFormat.decryptionSecretsLength(keyLogLines.length))) {
            PcapngFormat.writeDecryptionSecrets(output.buffer(), PcapngFormat.SECRETS_TLS_KEY_LOG, keyLogLines);
        }
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
        discarding = !prepare(timestampMicros, blockLength);
        if (discarding) {
            return output.discard(blockLength);
        }
        int id = interfaces.idFor(key, output);
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
     * {@link PcapngOutput#prepare}, then, when the file is new or lost blocks, forgets the
     * interfaces it no longer holds and repeats the open connections' secrets.
     */
    private boolean prepare(long timestampMicros, int blockBytes) {
        if (!output.prepare(timestampMicros, blockBytes)) {
            return false;
        }
        if (output.generation() != seenGeneration) {
            seenGeneration = output.generation();
            interfaces.keepFirst(output.interfaces());
            byte[] open = openSecrets.get();
            if (open.length > 0) {
                PcapngFormat.writeDecryptionSecrets(output.buffer(), PcapngFormat.SECRETS_TLS_KEY_LOG, open);
            }
        }
        return true;
    }
}
