package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link HelloScanner}: the first hello of a direction, however records and reads split it. */
class HelloScannerTest {
    static byte[] message(int type, int bodyLength, int fill) {
        byte[] m = new byte[4 + bodyLength];
        m[0] = (byte) type;
        m[1] = (byte) (bodyLength >>> 16);
        m[2] = (byte) (bodyLength >>> 8);
        m[3] = (byte) bodyLength;
        Arrays.fill(m, 4, m.length, (byte) fill);
        if (bodyLength >= 2) {
            m[4] = 3;
            m[5] = 3;
        }
        return m;
    }

    /** {@code payload} as records of content type {@code type}, at most {@code max} payload bytes each. */
    static byte[] records(int type, byte[] payload, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < payload.length; off += max) {
            int n = Math.min(max, payload.length - off);
            out.write(type);
            out.write(3);
            out.write(3);
            out.write(n >>> 8);
            out.write(n);
            out.write(payload, off, n);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Feeds {@code wire} in reads of {@code readSize} bytes; returns what was found. */
    static byte[] scan(int type, byte[] wire, int readSize) {
        HelloScanner s = new HelloScanner(type);
        for (int off = 0; off < wire.length && !s.done(); off += readSize) {
            ByteBuf read = Unpooled.wrappedBuffer(wire, off, Math.min(readSize, wire.length - off));
            int before = read.readerIndex();
            s.feed(read);
            assertThat(read.readerIndex()).as("nothing consumed").isEqualTo(before);
        }
        return s.found();
    }

    @Test
    void aServerHelloFollowedByMoreMessagesInOneRecordIsFoundWhateverTheReads() {
        byte[] hello = message(2, 90, 0x11);
        byte[] wire = records(22, concat(hello, message(11, 700, 0x22), message(14, 0, 0)), 16384);
        for (int read : new int[] {1, 2, 3, 5, 7, 64, wire.length}) {
            assertThat(scan(HelloScanner.SERVER_HELLO, wire, read)).as("reads of %d", read).isEqualTo(hello);
        }
    }

    @Test
    void aClientHelloSplitOverSeveralRecordsIsReassembled() {
        byte[] hello = message(1, 1500, 0x33);
        byte[] wire = records(22, hello, 100);
        for (int read : new int[] {1, 13, 105, wire.length}) {
            assertThat(scan(HelloScanner.CLIENT_HELLO, wire, read)).isEqualTo(hello);
        }
    }

    @Test
    void otherRecordsAndMessagesBeforeTheHelloAreSkipped() {
        byte[] hello = message(2, 40, 0x44);
        byte[] wire = concat(records(20, new byte[] {1}, 10), records(22, concat(message(0, 0, 0), hello), 16384));
        assertThat(scan(HelloScanner.SERVER_HELLO, wire, 3)).isEqualTo(hello);
    }

    @Test
    void aHelloRetryRequestIsSkippedForTheServerHelloThatFollows() {
        byte[] retry = message(2, 60, 0);
        byte[] random = HexFormat.of().parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
        System.arraycopy(random, 0, retry, 6, 32);
        byte[] hello = message(2, 60, 0x55);
        byte[] wire = concat(records(22, retry, 16384), records(20, new byte[] {1}, 10), records(22, hello, 16384));
        assertThat(scan(HelloScanner.SERVER_HELLO, wire, 7)).isEqualTo(hello);
    }

    @Test
    void bytesThatAreNotTlsStopTheScan() {
        HelloScanner s = new HelloScanner(HelloScanner.SERVER_HELLO);
        s.feed(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\n", java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(s.done()).isTrue();
        assertThat(s.found()).isNull();
    }

    @Test
    void anIncompleteHelloIsNotFoundYet() {
        byte[] hello = message(1, 300, 0x66);
        byte[] wire = records(22, hello, 16384);
        HelloScanner s = new HelloScanner(HelloScanner.CLIENT_HELLO);
        s.feed(Unpooled.wrappedBuffer(wire, 0, wire.length - 1));
        assertThat(s.done()).isFalse();
        s.feed(Unpooled.wrappedBuffer(wire, wire.length - 1, 1));
        assertThat(s.found()).isEqualTo(hello);
    }
}
