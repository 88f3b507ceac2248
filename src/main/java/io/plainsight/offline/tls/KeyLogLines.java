package io.plainsight.offline.tls;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits the bytes of a key log into lines the way {@code BufferedReader.readLine} does ({@code \n},
 * {@code \r} or {@code \r\n} end a line; a last line without one counts too), without making a
 * String per line: a key log has a line per TLS 1.2 connection and five per TLS 1.3 connection,
 * and decrypt reads it before the first packet. UTF-8 needs no decoding for this: its multi-byte
 * sequences never hold the bytes of CR or LF.
 */
final class KeyLogLines {
    /** Receives each line as {@code bytes[from, to)}, terminator excluded; the array is reused after the call. */
    interface Consumer {
        void line(byte[] bytes, int from, int to);
    }

    private KeyLogLines() {
    }

    /** Reads {@code in} to its end and hands every line to {@code consumer}, in order. */
    static void read(InputStream in, Consumer consumer) throws IOException {
        byte[] buf = new byte[1 << 16];
        int len = 0; // bytes in buf
        int start = 0; // where the current line starts
        int scan = 0; // the next byte to look at
        boolean afterCr = false; // the byte before scan ended a line with \r (a \n there belongs to it)
        int n;
        while ((n = in.read(buf, len, buf.length - len)) >= 0) {
            len += n;
            for (; scan < len; scan++) {
                byte c = buf[scan];
                if (c == '\n' || c == '\r') {
                    if (afterCr && c == '\n') {
                        start = scan + 1;
                        afterCr = false;
                        continue;
                    }
                    consumer.line(buf, start, scan);
                    start = scan + 1;
                    afterCr = c == '\r';
                } else {
                    afterCr = false;
                }
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, len - start);
                len -= start;
                scan -= start;
                start = 0;
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2); // a line longer than the buffer
            }
        }
        if (start < len) {
            consumer.line(buf, start, len);
        }
    }
}
