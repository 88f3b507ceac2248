package io.plainsight.offline.capture;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** A stream that gives at most {@code step} bytes per read, like a pipe fed slowly. */
public final class TrickleInputStream extends InputStream {
    private final ByteArrayInputStream in;
    private final int step;
    /** read() calls so far. */
    public int reads;

    public TrickleInputStream(byte[] data, int step) {
        this.in = new ByteArrayInputStream(data);
        this.step = step;
    }

    @Override
    public int read() {
        reads++;
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
        reads++;
        return in.read(b, off, Math.min(len, step));
    }
}
