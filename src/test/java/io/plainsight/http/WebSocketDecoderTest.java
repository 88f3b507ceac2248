package io.plainsight.http;

import static io.plainsight.http.WebSocketWire.BINARY;
import static io.plainsight.http.WebSocketWire.CLOSE;
import static io.plainsight.http.WebSocketWire.CONNECTION;
import static io.plainsight.http.WebSocketWire.CONTINUATION;
import static io.plainsight.http.WebSocketWire.FIN;
import static io.plainsight.http.WebSocketWire.PING;
import static io.plainsight.http.WebSocketWire.PONG;
import static io.plainsight.http.WebSocketWire.RSV1;
import static io.plainsight.http.WebSocketWire.RSV2;
import static io.plainsight.http.WebSocketWire.RSV3;
import static io.plainsight.http.WebSocketWire.TEXT;
import static io.plainsight.http.WebSocketWire.cat;
import static io.plainsight.http.WebSocketWire.client;
import static io.plainsight.http.WebSocketWire.closePayload;
import static io.plainsight.http.WebSocketWire.decode;
import static io.plainsight.http.WebSocketWire.decodeEveryWay;
import static io.plainsight.http.WebSocketWire.deflateMessage;
import static io.plainsight.http.WebSocketWire.deliver;
import static io.plainsight.http.WebSocketWire.hex;
import static io.plainsight.http.WebSocketWire.server;
import static io.plainsight.http.WebSocketWire.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.http.WebSocketWire.Recorder;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class WebSocketDecoderTest {
    private static final byte[] NONE = new byte[0];
    private static final String PMD = "permessage-deflate";
    private static final Direction C2S = Direction.CLIENT_TO_SERVER;
    private static final Direction S2C = Direction.SERVER_TO_CLIENT;

    // RFC 6455 5.7
    private static final byte[] UNMASKED_HELLO = hex("81 05 48 65 6c 6c 6f");
    private static final byte[] MASKED_HELLO = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    private static final byte[] FRAGMENTED_HELLO = hex("01 03 48 65 6c  80 02 6c 6f");
    private static final byte[] UNMASKED_PING = hex("89 05 48 65 6c 6c 6f");
    private static final byte[] MASKED_PONG = hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58");

    // RFC 7692 7.2.3
    private static final byte[] DEFLATED_HELLO = hex("c1 07 f2 48 cd c9 c9 07 00");
    private static final byte[] DEFLATED_HELLO_FRAGMENTED = hex("41 03 f2 48 cd  80 04 c9 c9 07 00");
    private static final byte[] DEFLATED_HELLO_AGAIN = hex("c1 05 f2 00 11 00 00");
    private static final byte[] STORED_HELLO = hex("c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00");
    private static final byte[] BFINAL_HELLO = hex("c1 08 f3 48 cd c9 c9 07 00 00");
    private static final byte[] TWO_BLOCKS_HELLO = hex("c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00");

    @Test
    void rfc6455Examples() {
        assertThat(decode(null, MASKED_HELLO, UNMASKED_HELLO)).containsExactly(
                "C>S TEXT 'Hello' size=5 wire=11",
                "S>C TEXT 'Hello' size=5 wire=7");
        assertThat(decode(null, NONE, FRAGMENTED_HELLO)).containsExactly("S>C TEXT 'Hello' size=5 wire=9");
        assertThat(decode(null, MASKED_PONG, UNMASKED_PING)).containsExactly(
                "C>S PONG 'Hello' size=5 wire=11",
                "S>C PING 'Hello' size=5 wire=7");
    }

    @Test
    void rfc6455LengthExamples() {
        byte[] b256 = new byte[256];
        new Random(256).nextBytes(b256);
        byte[] b64k = new byte[65536];
        new Random(65536).nextBytes(b64k);
        byte[] wire = cat(hex("82 7e 01 00"), b256, hex("82 7f 00 00 00 00 00 01 00 00"), b64k);
        Recorder r = decodeEveryWay(null, 1 << 20, NONE, wire, 5);
        assertThat(r.lines()).containsExactly(
                "S>C BINARY " + WebSocketWire.payload(WebSocketMessage.Type.BINARY, b256) + " size=256 wire=260",
                "S>C BINARY " + WebSocketWire.payload(WebSocketMessage.Type.BINARY, b64k) + " size=65536 wire=65546");
        assertThat(r.messages.get(0).payload()).isEqualTo(b256);
        assertThat(r.messages.get(1).payload()).isEqualTo(b64k);
        // the same, masked by a client
        Recorder masked = decodeEveryWay(null, 1 << 20, cat(client(FIN | BINARY, b256), client(FIN | BINARY, b64k)), NONE, 5);
        assertThat(masked.lines()).containsExactly(
                "C>S BINARY " + WebSocketWire.payload(WebSocketMessage.Type.BINARY, b256) + " size=256 wire=264",
                "C>S BINARY " + WebSocketWire.payload(WebSocketMessage.Type.BINARY, b64k) + " size=65536 wire=65550");
        assertThat(masked.messages.get(1).payload()).isEqualTo(b64k);
    }

    @Test
    void maskingTheWrongWayIsNotedAndTolerated() {
        assertThat(decode(null, UNMASKED_HELLO, MASKED_HELLO)).containsExactly(
                "C>S TEXT 'Hello' size=5 wire=7 note=an unmasked client frame",
                "S>C TEXT 'Hello' size=5 wire=11 note=a masked server frame");
        // a fragmented message notes it once
        assertThat(decode(null, FRAGMENTED_HELLO, NONE)).containsExactly(
                "C>S TEXT 'Hello' size=5 wire=9 note=an unmasked client frame");
    }

    @Test
    void lengthsInMoreBytesThanNeededAreNoted() {
        assertThat(decode(null, NONE, cat(hex("81 7e 00 02 68 69"), hex("82 7f 00 00 00 00 00 00 00 01 ff")))).containsExactly(
                "S>C TEXT 'hi' size=2 wire=6 note=a payload length in more bytes than needed",
                "S>C BINARY 0xff size=1 wire=11 note=a payload length in more bytes than needed");
    }

    @Test
    void rfc7692Examples() {
        assertThat(decode(PMD, NONE, DEFLATED_HELLO)).containsExactly("S>C TEXT 'Hello' size=5 wire=9 compressed");
        assertThat(decode(PMD, NONE, DEFLATED_HELLO_FRAGMENTED))
                .containsExactly("S>C TEXT 'Hello' size=5 wire=11 compressed");
        assertThat(decode(PMD, NONE, STORED_HELLO)).containsExactly("S>C TEXT 'Hello' size=5 wire=13 compressed");
        assertThat(decode(PMD, NONE, TWO_BLOCKS_HELLO)).containsExactly("S>C TEXT 'Hello' size=5 wire=15 compressed");
    }

    @Test
    void rfc7692SharedSlidingWindow() {
        assertThat(decode(PMD, NONE, cat(DEFLATED_HELLO, DEFLATED_HELLO_AGAIN))).containsExactly(
                "S>C TEXT 'Hello' size=5 wire=9 compressed",
                "S>C TEXT 'Hello' size=5 wire=7 compressed");
        // the second message refers back to the first: with a fresh window it cannot be inflated
        assertThat(decode(PMD + "; server_no_context_takeover", NONE, cat(DEFLATED_HELLO, DEFLATED_HELLO_AGAIN)))
                .containsExactly(
                        "S>C TEXT 'Hello' size=5 wire=9 compressed",
                        "S>C undecodable at 9: invalid deflate data in a compressed WebSocket message (invalid distance too far back)");
        // each direction has its own window and its own parameter
        byte[] clientHellos = cat(masked(DEFLATED_HELLO), masked(DEFLATED_HELLO_AGAIN));
        assertThat(decode(PMD + "; server_no_context_takeover", clientHellos, NONE)).containsExactly(
                "C>S TEXT 'Hello' size=5 wire=13 compressed",
                "C>S TEXT 'Hello' size=5 wire=11 compressed");
        assertThat(decode(PMD + "; client_no_context_takeover", clientHellos, cat(DEFLATED_HELLO, DEFLATED_HELLO_AGAIN)))
                .containsExactly(
                        "C>S TEXT 'Hello' size=5 wire=13 compressed",
                        "C>S undecodable at 13: invalid deflate data in a compressed WebSocket message (invalid distance too far back)",
                        "S>C TEXT 'Hello' size=5 wire=9 compressed",
                        "S>C TEXT 'Hello' size=5 wire=7 compressed");
        // messages that stand alone decode either way
        assertThat(decode(PMD + "; server_no_context_takeover", NONE, cat(DEFLATED_HELLO, DEFLATED_HELLO))).containsExactly(
                "S>C TEXT 'Hello' size=5 wire=9 compressed",
                "S>C TEXT 'Hello' size=5 wire=9 compressed");
    }

    @Test
    void aBlockWithBfinalEndsTheStreamAndTheNextMessageStartsAFreshOne() {
        assertThat(decode(PMD, NONE, cat(BFINAL_HELLO, DEFLATED_HELLO, DEFLATED_HELLO_AGAIN))).containsExactly(
                "S>C TEXT 'Hello' size=5 wire=10 compressed",
                "S>C TEXT 'Hello' size=5 wire=9 compressed",
                "S>C TEXT 'Hello' size=5 wire=7 compressed");
    }

    @Test
    void uncompressedMessagesBetweenCompressedOnesLeaveTheWindowAlone() {
        assertThat(decode(PMD, NONE, cat(DEFLATED_HELLO, UNMASKED_HELLO, DEFLATED_HELLO_AGAIN))).containsExactly(
                "S>C TEXT 'Hello' size=5 wire=9 compressed",
                "S>C TEXT 'Hello' size=5 wire=7",
                "S>C TEXT 'Hello' size=5 wire=7 compressed");
    }

    @Test
    void controlFramesInsideAFragmentedMessageAreReportedInOrderAtTheirOwnTime() {
        byte[] c2s = cat(client(TEXT, utf8("Hel")), client(FIN | PING, utf8("p")), client(CONTINUATION, utf8("l")),
                client(FIN | PONG, NONE), client(FIN | CONTINUATION, utf8("o")));
        assertThat(decode(null, c2s, NONE)).containsExactly(
                "C>S PING 'p' size=1 wire=7",
                "C>S PONG '' size=0 wire=6",
                "C>S TEXT 'Hello' size=5 wire=23");
        // compressed: RSV1 on the first frame only, the inflater fed across the control frame
        byte[] s2c = cat(hex("41 03 f2 48 cd"), server(FIN | PING, NONE), hex("80 04 c9 c9 07 00"));
        assertThat(decode(PMD, NONE, s2c)).containsExactly(
                "S>C PING '' size=0 wire=2",
                "S>C TEXT 'Hello' size=5 wire=11 compressed");
    }

    @Test
    void aMessageIsStampedWithTheTimeOfTheBytesThatCompletedIt() {
        Recorder r = new Recorder();
        WebSocketDecoder d = new WebSocketDecoder(CONNECTION, r, DecodeOptions.defaults(), null);
        byte[] first = client(TEXT, utf8("Hel"));
        byte[] ping = client(FIN | PING, NONE);
        byte[] last = client(FIN | CONTINUATION, utf8("lo"));
        deliver(d, C2S, 100, first, 0, first.length);
        deliver(d, C2S, 200, ping, 0, ping.length);
        deliver(d, S2C, 250, UNMASKED_PING, 0, 3);
        deliver(d, C2S, 300, last, 0, 4);
        deliver(d, C2S, 400, last, 4, last.length);
        deliver(d, S2C, 500, UNMASKED_PING, 3, UNMASKED_PING.length);
        d.end(600);
        assertThat(r.messages).extracting(WebSocketMessage::timestampMicros).containsExactly(200L, 400L, 500L);
        assertThat(r.events).containsExactly(
                "C>S PING '' size=0 wire=6",
                "C>S TEXT 'Hello' size=5 wire=17",
                "S>C PING 'Hello' size=5 wire=7");
    }

    @Test
    void payloadsAreKeptUpToTheBodyLimitAndCountedBeyond() {
        byte[] c2s = cat(MASKED_HELLO, client(FIN | PING, utf8("ping!")), masked(DEFLATED_HELLO),
                client(FIN | CLOSE, closePayload(1000, "bye")));
        assertThat(decodeEveryWay(PMD, 3, c2s, NONE, 10).lines()).containsExactly(
                "C>S TEXT 'Hel' size=5 wire=11 truncated",
                "C>S PING 'pin' size=5 wire=11 truncated",
                "C>S TEXT 'Hel' size=5 wire=13 compressed truncated",
                "C>S CLOSE 0x03e862 size=5 wire=11 truncated code=1000 reason='bye'");
        assertThat(decodeEveryWay(PMD, 0, c2s, NONE, 3).lines()).containsExactly(
                "C>S TEXT '' size=5 wire=11 truncated",
                "C>S PING '' size=5 wire=11 truncated",
                "C>S TEXT '' size=5 wire=13 compressed truncated",
                "C>S CLOSE 0x size=5 wire=11 truncated code=1000 reason='bye'");
    }

    @Test
    void closeFrames() {
        byte[] s2c = cat(server(FIN | CLOSE, NONE), server(FIN | CLOSE, closePayload(1001, "")),
                server(FIN | CLOSE, closePayload(4000, "going away: ünïcode")),
                server(FIN | CLOSE, closePayload(1005, "")),
                server(FIN | CLOSE, cat(closePayload(1000, ""), hex("c3 28"))),
                UNMASKED_HELLO);
        assertThat(decode(null, NONE, s2c)).containsExactly(
                "S>C CLOSE 0x size=0 wire=2 code=0",
                "S>C CLOSE 0x03e9 size=2 wire=4 code=1001 note=a frame after the close frame",
                "S>C CLOSE 0x0fa0676f696e6720617761793a20c3bc6ec3af636f6465 size=23 wire=25 code=4000"
                        + " reason='going away: ünïcode' note=a frame after the close frame",
                "S>C CLOSE 0x03ed size=2 wire=4 code=1005 note=a frame after the close frame;"
                        + " close code 1005 is not one an endpoint may send",
                "S>C CLOSE 0x03e8c328 size=4 wire=6 code=1000 reason='\ufffd(' note=a frame after the close frame;"
                        + " a close reason that is not valid UTF-8",
                "S>C TEXT 'Hello' size=5 wire=7 note=a frame after the close frame");
    }

    @Test
    void closeCodesAnEndpointMaySend() {
        assertThat(List.of(999, 1000, 1003, 1004, 1005, 1006, 1007, 1011, 1014, 1015, 2999, 3000, 4999, 5000)
                .stream().filter(WebSocketReader::sendable).toList())
                .containsExactly(1000, 1003, 1007, 1011, 1014, 3000, 4999);
    }

    /** Each bad frame comes after a good one (so its offset is 7) and before another (ignored); the other direction goes on. */
    private static List<String> afterHello(String extensions, byte[] bad) {
        return decode(extensions, MASKED_HELLO, cat(UNMASKED_HELLO, bad, UNMASKED_HELLO));
    }

    private static List<String> badServerFrame(String reason) {
        return badServerFrame(7, reason);
    }

    private static List<String> badServerFrame(long offset, String reason) {
        return List.of("C>S TEXT 'Hello' size=5 wire=11", "S>C TEXT 'Hello' size=5 wire=7", "S>C undecodable at " + offset + ": " + reason);
    }

    @Test
    void reservedOpcodesAreUndecodable() {
        for (int opcode : new int[] {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
            String reason = String.format("a WebSocket frame with reserved opcode 0x%X", opcode);
            assertThat(afterHello(null, server(FIN | opcode, utf8("x")))).isEqualTo(badServerFrame(reason));
        }
    }

    @Test
    void aSixtyFourBitLengthWithTheTopBitSetIsUndecodable() {
        String reason = "a WebSocket frame with an invalid length (a 64-bit length with the most significant bit set)";
        assertThat(afterHello(null, hex("82 7f 80 00 00 00 00 00 00 00"))).isEqualTo(badServerFrame(reason));
        assertThat(afterHello(null, hex("82 7f ff ff ff ff ff ff ff ff"))).isEqualTo(badServerFrame(reason));
    }

    @Test
    void badControlFramesAreUndecodable() {
        assertThat(afterHello(null, cat(hex("89 7e 00 7e"), new byte[126]))).isEqualTo(badServerFrame("a WebSocket control frame (PING) with a payload of 126 bytes (at most 125)"));
        assertThat(afterHello(null, server(CLOSE, NONE))).isEqualTo(badServerFrame("a fragmented WebSocket control frame (CLOSE)"));
        assertThat(afterHello(PMD, server(FIN | RSV1 | PONG, NONE))).isEqualTo(badServerFrame("a WebSocket control frame (PONG) with RSV1 set"));
        assertThat(afterHello(null, server(FIN | CLOSE, hex("03")))).isEqualTo(badServerFrame("a WebSocket close frame with a 1-byte payload (a status code takes 2)"));
        // 125 bytes is fine
        assertThat(decode(null, NONE, server(FIN | PING, new byte[125]))).hasSize(1);
    }

    @Test
    void reservedBitsAreUndecodable() {
        assertThat(afterHello(PMD, server(FIN | RSV2 | TEXT, NONE))).isEqualTo(badServerFrame("a WebSocket frame with RSV2 or RSV3 set, which no negotiated extension defines"
                        + " (Sec-WebSocket-Extensions: permessage-deflate)"));
        assertThat(afterHello(null, server(FIN | RSV3 | BINARY, NONE))).isEqualTo(badServerFrame("a WebSocket frame with RSV2 or RSV3 set, which no negotiated extension defines"
                        + " (no Sec-WebSocket-Extensions)"));
        assertThat(afterHello(null, DEFLATED_HELLO)).isEqualTo(badServerFrame("a WebSocket frame with RSV1 set, but permessage-deflate was not negotiated (no Sec-WebSocket-Extensions)"));
        assertThat(afterHello("x-webkit-deflate-frame", DEFLATED_HELLO)).isEqualTo(badServerFrame("a WebSocket frame with RSV1 set, but permessage-deflate was not negotiated"
                        + " (Sec-WebSocket-Extensions: x-webkit-deflate-frame)"));
        assertThat(afterHello(PMD, hex("41 03 f2 48 cd  c0 04 c9 c9 07 00"))).isEqualTo(badServerFrame(12, "a WebSocket continuation frame with RSV1 set (permessage-deflate marks a message's first frame only)"));
    }

    @Test
    void fragmentsOutOfOrderAreUndecodable() {
        assertThat(afterHello(null, server(FIN | CONTINUATION, utf8("lo")))).isEqualTo(badServerFrame("a WebSocket continuation frame with no message to continue"));
        assertThat(afterHello(null, cat(server(TEXT, utf8("Hel")), server(FIN | TEXT, utf8("lo")))))
                .isEqualTo(badServerFrame(12, "a new WebSocket data frame while a fragmented message is unfinished"));
    }

    @Test
    void invalidDeflateDataIsUndecodableFromTheMessagesFirstFrame() {
        // an empty stored block, then a block of the reserved type 11 in the second fragment: the offset is the message's
        byte[] bad = cat(hex("41 05 00 00 00 ff ff"), server(FIN | CONTINUATION, hex("ff")));
        assertThat(decode(PMD, NONE, cat(DEFLATED_HELLO, bad, DEFLATED_HELLO))).containsExactly(
                "S>C TEXT 'Hello' size=5 wire=9 compressed",
                "S>C undecodable at 9: invalid deflate data in a compressed WebSocket message (invalid block type)");
    }

    @Test
    void aLargeCompressedMessageIsCountedWithoutKeepingIt() {
        int size = 8 << 20;
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] compressed = deflateMessage(deflater, new byte[size]);
        deflater.end();
        byte[] wire = server(FIN | RSV1 | BINARY, compressed);
        Recorder r = new Recorder();
        WebSocketDecoder d = new WebSocketDecoder(CONNECTION, r, new DecodeOptions(1024, 65536), PMD);
        long allocated = allocatedBy(() -> deliver(d, S2C, 1, wire, 0, wire.length));
        assertThat(r.events).containsExactly("S>C BINARY " + WebSocketWire.payload(WebSocketMessage.Type.BINARY, new byte[1024])
                + " size=" + size + " wire=" + wire.length + " compressed truncated");
        // the delivery's own buffer is the wire's size; the decoder adds its buffers and the 1 KiB kept
        assertThat(allocated).isLessThan(wire.length + 512 * 1024);
    }

    @Test
    void aDecompressionBombStopsAtTheBoundWithinBoundedMemory() {
        long bound = WebSocketDecoder.inflateBound(1024);
        assertThat(bound).isEqualTo(16L << 20);
        assertThat(WebSocketDecoder.inflateBound(1 << 20)).isEqualTo(64L << 20);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] bomb = deflateMessage(deflater, new byte[32 << 20]);
        deflater.end();
        byte[] s2c = cat(UNMASKED_HELLO, server(RSV1 | BINARY, Arrays.copyOf(bomb, 100)),
                server(FIN | CONTINUATION, Arrays.copyOfRange(bomb, 100, bomb.length)), UNMASKED_HELLO);
        Recorder r = new Recorder();
        WebSocketDecoder d = new WebSocketDecoder(CONNECTION, r, new DecodeOptions(1024, 65536), PMD);
        long allocated = allocatedBy(() -> {
            deliver(d, S2C, 1, s2c, 0, s2c.length);
            d.end(2);
        });
        assertThat(r.events).containsExactly("S>C TEXT 'Hello' size=5 wire=7",
                "S>C undecodable at 7: a compressed WebSocket message inflates beyond 16777216 bytes (the decompression bound)");
        assertThat(allocated).isLessThan(s2c.length + 512 * 1024);
    }

    private static long allocatedBy(Runnable r) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        r.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void theEndOfTheConnectionReportsAMessageUnderWay() {
        byte[] c2s = cat(client(TEXT, utf8("Hel")), client(CONTINUATION, utf8("lo")));
        byte[] s2c = cat(UNMASKED_HELLO, Arrays.copyOf(server(FIN | BINARY, utf8("abcdef")), 5));
        assertThat(decode(null, c2s, s2c)).containsExactly(
                "C>S TEXT 'Hello' size=5 wire=17 note=cut short: the connection ended before the message's last frame",
                "S>C TEXT 'Hello' size=5 wire=7",
                "S>C BINARY 0x616263 size=3 wire=5 note=cut short: the connection ended before the message's last frame");
        // compressed: what the inflater could make of the bytes that came (four 8-bit literals after the 3-bit block header)
        byte[] cut = Arrays.copyOf(DEFLATED_HELLO, 7);
        assertThat(decode(PMD, NONE, cut)).containsExactly(
                "S>C TEXT 'Hell' size=4 wire=7 compressed note=cut short: the connection ended before the message's last frame");
    }

    @Test
    void theEndOfTheConnectionInsideAHeaderOrAControlFrameIsUndecodable() {
        byte[] s2c = cat(UNMASKED_HELLO, hex("82 7e 01"));
        assertThat(decode(null, Arrays.copyOf(MASKED_PONG, 8), s2c)).containsExactly(
                "C>S undecodable at 0: the connection ended inside a WebSocket PONG frame (2 of 5 payload bytes)",
                "S>C TEXT 'Hello' size=5 wire=7",
                "S>C undecodable at 7: the connection ended inside a WebSocket frame header (3 of 4 bytes)");
        // a message under way is reported first
        assertThat(decode(null, NONE, cat(server(TEXT, utf8("Hel")), hex("89")))).containsExactly(
                "S>C TEXT 'Hel' size=3 wire=5 note=cut short: the connection ended before the message's last frame",
                "S>C undecodable at 5: the connection ended inside a WebSocket frame header (1 of 2 bytes)");
    }

    @Test
    void nothingIsReportedAfterTheEnd() {
        Recorder r = new Recorder();
        WebSocketDecoder d = new WebSocketDecoder(CONNECTION, r, DecodeOptions.defaults(), PMD);
        deliver(d, S2C, 1, DEFLATED_HELLO, 0, 4);
        d.end(2);
        deliver(d, S2C, 3, DEFLATED_HELLO, 4, DEFLATED_HELLO.length);
        deliver(d, C2S, 4, MASKED_HELLO, 0, MASKED_HELLO.length);
        d.end(5);
        assertThat(r.events).containsExactly(
                "S>C TEXT 'H' size=1 wire=4 compressed note=cut short: the connection ended before the message's last frame");
    }

    @Test
    void randomBytesNeverThrowAndGiveUpAtMostOnce() {
        Random r = new Random(6455);
        for (int run = 0; run < 400; run++) {
            byte[] c2s = new byte[r.nextInt(300)];
            byte[] s2c = new byte[r.nextInt(300)];
            r.nextBytes(c2s);
            r.nextBytes(s2c);
            String ext = run % 2 == 0 ? PMD : null;
            // the Recorder fails on a second undecodable or on reports after one
            WebSocketWire.feed(ext, 64, c2s, s2c, WebSocketWire.Split.RANDOM, run);
        }
    }

    @Test
    void mutatedFramesNeverThrowAndGiveTheSameReportsHoweverSplit() {
        byte[] good = cat(DEFLATED_HELLO, DEFLATED_HELLO_AGAIN, server(FIN | PING, utf8("p")), TWO_BLOCKS_HELLO,
                DEFLATED_HELLO_FRAGMENTED, server(FIN | CLOSE, closePayload(1000, "ok")));
        Random r = new Random(7692);
        for (int run = 0; run < 300; run++) {
            byte[] bad = good.clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            }
            decodeEveryWay(PMD, 16, masked(bad), bad, 2);
        }
    }

    /** A stream of server frames as a client would send them: the same frames, masked. */
    private static byte[] masked(byte[] frames) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at < frames.length) {
            if (at + 2 > frames.length) {
                out.write(frames, at, frames.length - at);
                break;
            }
            int b0 = frames[at] & 0xff;
            int len7 = frames[at + 1] & 0x7f;
            int head = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
            long len = len7;
            if (at + head > frames.length) {
                out.write(frames, at, frames.length - at);
                break;
            }
            if (len7 == 126) {
                len = ((frames[at + 2] & 0xff) << 8) | (frames[at + 3] & 0xff);
            } else if (len7 == 127) {
                len = 0;
                for (int k = 2; k < 10; k++) {
                    len = (len << 8) | (frames[at + k] & 0xff);
                }
            }
            int end = (int) Math.min(frames.length, Math.max(0, Math.min(Integer.MAX_VALUE, at + head + len)));
            if (len < 0 || end < at + head) {
                out.write(frames, at, frames.length - at);
                break;
            }
            byte[] payload = Arrays.copyOfRange(frames, at + head, end);
            byte[] f = WebSocketWire.frame(b0, payload, WebSocketWire.KEY);
            if (len7 == 126 || len7 == 127 || end - at - head < len) {
                // keep the original length field (it may be non-minimal or promise more than is there)
                out.write(b0);
                out.write(0x80 | len7);
                out.write(frames, at + 2, head - 2);
                out.writeBytes(WebSocketWire.KEY);
                out.write(f, f.length - payload.length, payload.length);
            } else {
                out.writeBytes(f);
            }
            at = end;
        }
        return out.toByteArray();
    }

    @Test
    void theMaskingHelperMasksLikeTheRfc() {
        assertThat(masked(UNMASKED_HELLO)).isEqualTo(MASKED_HELLO);
        assertThat(masked(UNMASKED_PING)).isEqualTo(hex("89 85 37 fa 21 3d 7f 9f 4d 51 58"));
    }
}
