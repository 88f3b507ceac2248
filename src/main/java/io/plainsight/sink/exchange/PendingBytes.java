package io.plainsight.sink.exchange;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * What an output has produced since its last flush, written to its {@link OutputFile} in one
 * write on {@link #flushTo}. While the file fails the bytes are kept for the next try, up to
 * 16 MiB, then dropped (the file counts its failed writes). Not thread-safe.
 */
public final class PendingBytes extends ByteArrayOutputStream {
    /** Outputs flush early once this much is pending. */
    public static final int FLUSH_AT = 1 << 20;

    private long written;

    public PendingBytes() {
        super(64 * 1024);
    }

    /** Whether the output should flush now rather than wait for the sink's next flush. */
    public boolean full() {
        return size() >= FLUSH_AT;
    }

    /** Writes what is pending at the end of what this writer wrote before (an appending file ignores the position). */
    public void flushTo(OutputFile file) {
        if (size() == 0) {
            return;
        }
        int n = count;
        if (file.write(written, ByteBuffer.wrap(buf, 0, n))) { // the bytes themselves, not a copy
            written += n;
            reset();
        } else if (size() > 16 * FLUSH_AT) {
            reset(); // the file keeps failing: do not grow without bound
        }
    }
}
