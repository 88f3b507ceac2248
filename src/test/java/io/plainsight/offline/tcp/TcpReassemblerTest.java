package io.plainsight.offline.tcp;

import static io.plainsight.offline.tcp.TcpFlags.ACK;
import static io.plainsight.offline.tcp.TcpFlags.FIN;
import static io.plainsight.offline.tcp.TcpFlags.PSH;
import static io.plainsight.offline.tcp.TcpFlags.RST;
import static io.plainsight.offline.tcp.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte-exact event sequences for synthetic segments of one connection (client 10.0.0.1:50000, server 10.0.0.2:443). */
class TcpReassemblerTest {
    static final String OPENED = "opened 0 10.0.0.1:50000 -> 10.0.0.2:443 syn #1";

    final Recorder rec = new Recorder();

    Wire wire(ReassemblyOptions options) {
        return new Wire(new TcpReassembler(rec, options), "10.0.0.1", 50000, "10.0.0.2", 443);
    }

    Wire wire() {
        return wire(ReassemblyOptions.defaults());
    }

    @Test
    void inOrderBothWaysThenFinFromBoth() {
        Wire w = wire().handshake(1000, 5000)
                .c(1001, 5001, ACK | PSH, "GET /")
                .s(5001, 1006, ACK | PSH, "HTTP/1.1 200")
                .c(1006, 5013, ACK | FIN, null)
                .s(5013, 1007, ACK | FIN, null);
        assertThat(w.reassembler.openConnections()).isZero();
        w.c(1007, 5014, ACK, null); // the last ACK: the connection lingers and ignores it
        w.finish();
        assertThat(rec.take()).containsExactly(
                OPENED,
                "data 0 c @0 GET / #4",
                "data 0 s @0 HTTP/1.1 200 #5",
                "closed 0 FIN");
        ReassemblyCounters k = w.reassembler.counters();
        assertThat(k.afterCloseSegments()).isEqualTo(1);
        assertThat(k.deliveredBytes()).isEqualTo(17);
        assertThat(k.payloadBytes()).isEqualTo(17);
        assertThat(k.duplicateBytes()).isZero();
        assertThat(k.gaps()).isZero();
    }

    @Test
    void inOrderPayloadIsPassedThroughWithoutCopyAndItsIndexesAreRestored() {
        io.netty.buffer.ByteBuf[] seen = new io.netty.buffer.ByteBuf[1];
        StreamListener l = new StreamListener() {
            @Override
            public void opened(TcpConnection c, long p, long t) {}

            @Override
            public void data(TcpConnection c, boolean fromClient, long p, long t, io.netty.buffer.ByteBuf b, long o) {
                seen[0] = b;
                b.skipBytes(b.readableBytes()); // a consumer that reads it
            }

            @Override
            public void gap(TcpConnection c, boolean fromClient, long p, long t, long o, long m) {}

            @Override
            public void closed(TcpConnection c, long t, CloseReason r) {}
        };
        TcpReassembler r = new TcpReassembler(l);
        io.netty.buffer.ByteBuf payload = Wire.bytes("xxhello").skipBytes(2);
        r.segment(1, 1, Wire.address("10.0.0.1"), 50000, Wire.address("10.0.0.2"), 443, 100, 0, 0, payload);
        assertThat(seen[0]).isSameAs(payload);
        assertThat(payload.readerIndex()).isEqualTo(2);
        assertThat(payload.writerIndex()).isEqualTo(7);
    }

    @Test
    void exactRetransmissionIsDeliveredOnce() {
        Wire w = wire().handshake(1000, 5000).c(1001, "abc").c(1001, "abc").c(1004, "def").c(1001, "abcdef");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #4", "data 0 c @3 def #6");
        assertThat(w.reassembler.counters().duplicateBytes()).isEqualTo(9);
    }

    @Test
    void retransmissionWithDifferentBytesFirstCopyWins() {
        wire().handshake(1000, 5000).c(1001, "hello").c(1001, "HELLO world");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 hello #4", "data 0 c @5  world #5");
    }

    @Test
    void heldBytesWinOverALaterSegmentCoveringThem() {
        wire().handshake(1000, 5000).c(1006, "world").c(1001, "hellOWORLD!");
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 hellO #5", "data 0 c @5 world #5", "data 0 c @10 ! #5");
    }

    @Test
    void partialOverlapsOnBothEdgesKeepTheFirstCopies() {
        Wire w = wire().handshake(1000, 5000)
                .c(1006, "fghij")      // held [5,10)
                .c(1004, "DEFGHIJKL")  // [3,12): only [3,5) "DE" and [10,12) "KL" are new
                .c(1001, "abcX");      // [0,4): "X" at 3 loses to the held "D"
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abc #6", "data 0 c @3 DE #6", "data 0 c @5 fghij #6", "data 0 c @10 KL #6");
        ReassemblyCounters k = w.reassembler.counters();
        assertThat(k.outOfOrderSegments()).isEqualTo(2);
        assertThat(k.duplicateBytes()).isEqualTo(5 + 1); // FGHIJ, X
        assertThat(k.deliveredBytes()).isEqualTo(12);
    }

    @Test
    void aLiveSegmentReachingIntoHeldBytesDeliversAroundThem() {
        wire().handshake(1000, 5000)
                .c(1004, "de")           // held [3,5)
                .c(1008, "hi")           // held [7,9)
                .c(1001, "abcDEfgHIjk"); // [0,11): live abc, held de, live fg, held hi, live jk
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abc #6", "data 0 c @3 de #6", "data 0 c @5 fg #6", "data 0 c @7 hi #6", "data 0 c @9 jk #6");
    }

    @Test
    void outOfOrderBytesWaitAndAreDeliveredByThePacketThatFillsTheHole() {
        wire().handshake(1000, 5000)
                .s(5001, 1001, ACK, "banner")
                .c(1007, "ghi")
                .c(1004, "def")
                .s(5007, 1001, ACK, "!")
                .c(1001, "abc");
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 s @0 banner #4",
                "data 0 s @6 ! #7",
                "data 0 c @0 abc #8", "data 0 c @3 def #8", "data 0 c @6 ghi #8");
    }

    @Test
    void midStreamStartWithoutSynTakesTheLowerPortForTheServer() {
        Wire w = wire();
        w.s(777_000, "rest of a response").c(333_000, "next request").s(777_018, "more");
        w.finish();
        assertThat(rec.take()).containsExactly(
                "opened 0 10.0.0.1:50000 -> 10.0.0.2:443 nosyn #1",
                "data 0 s @0 rest of a response #1",
                "data 0 c @0 next request #2",
                "data 0 s @18 more #3",
                "closed 0 EOF");
        TcpConnection c = rec.connections.get(0L);
        assertThat(c.sequenceAt(false, 18)).isEqualTo(777_018);
        assertThat(c.sequenceAt(true, 0)).isEqualTo(333_000);
    }

    @Test
    void midStreamStartDropsBytesBeforeTheFirstCapturedOnes() {
        Wire w = wire();
        w.c(2000, "later").c(1995, "early").c(2005, "!");
        assertThat(rec.take()).containsExactly(
                "opened 0 10.0.0.1:50000 -> 10.0.0.2:443 nosyn #1", "data 0 c @0 later #1", "data 0 c @5 ! #3");
        assertThat(w.reassembler.counters().duplicateBytes()).isEqualTo(5);
    }

    @Test
    void withEqualPortsTheFirstPacketsDestinationIsTheServer() {
        Wire w = new Wire(new TcpReassembler(rec), "10.0.0.1", 7000, "10.0.0.2", 7000);
        w.s(1, "x");
        assertThat(rec.take()).containsExactly("opened 0 10.0.0.2:7000 -> 10.0.0.1:7000 nosyn #1", "data 0 c @0 x #1");
    }

    @Test
    void aSynLaterInTheConnectionCorrectsTheGuessedRoles() {
        // a client on port 80 talking to a server on 8080: the port rule guesses wrong until the SYN-ACK
        Wire w = new Wire(new TcpReassembler(rec), "10.0.0.1", 80, "10.0.0.2", 8080);
        w.c(101, 0, ACK, null).s(900, 101, SYN | ACK, null).c(101, 901, ACK | PSH, "hi").s(901, 103, ACK | PSH, "yo");
        assertThat(rec.take()).containsExactly(
                "opened 0 10.0.0.2:8080 -> 10.0.0.1:80 nosyn #1", "data 0 c @0 hi #3", "data 0 s @0 yo #4");
        TcpConnection c = rec.connections.get(0L);
        assertThat(c.clientPort()).isEqualTo(80);
        assertThat(c.sawSyn()).isTrue();
    }

    @Test
    void aSynAckAfterDataDoesNotSwapTheRolesBehindTheConsumersBack() {
        Wire w = new Wire(new TcpReassembler(rec), "10.0.0.1", 80, "10.0.0.2", 8080);
        w.c(101, 901, ACK | PSH, "hi").s(900, 101, SYN | ACK, null).s(901, 103, ACK | PSH, "yo");
        assertThat(rec.take()).containsExactly(
                "opened 0 10.0.0.2:8080 -> 10.0.0.1:80 nosyn #1", "data 0 s @0 hi #1", "data 0 c @0 yo #3");
        assertThat(rec.connections.get(0L).sawSyn()).isFalse();
    }

    @Test
    void onlyTheSynAckCapturedStillFixesRolesAndTheClientsStart() {
        Wire w = wire();
        w.s(5000, 1001, SYN | ACK, null).c(1001, 5001, ACK | PSH, "hello").s(5001, 1006, ACK | PSH, "hi");
        assertThat(rec.take()).containsExactly(
                "opened 0 10.0.0.1:50000 -> 10.0.0.2:443 syn #1", "data 0 c @0 hello #2", "data 0 s @0 hi #3");
        assertThat(rec.connections.get(0L).sequenceAt(true, 0)).isEqualTo(1001);
    }

    @Test
    void theConsumerCanSwapRolesFromInsideAnEvent() {
        TcpReassembler r = new TcpReassembler(new StreamListener() {
            @Override
            public void opened(TcpConnection c, long p, long t) {
                rec.opened(c, p, t);
            }

            @Override
            public void data(TcpConnection c, boolean fromClient, long p, long t, io.netty.buffer.ByteBuf b, long o) {
                rec.data(c, fromClient, p, t, b, o);
                if (!fromClient && o == 0 && !c.sawSyn() && c.attachment() == null
                        && b.getByte(b.readerIndex()) == 0x16) { // a ClientHello from the "server"
                    c.swapRoles();
                    c.attach("swapped");
                    rec.swapped(c.id());
                }
            }

            @Override
            public void gap(TcpConnection c, boolean fromClient, long p, long t, long o, long m) {
                rec.gap(c, fromClient, p, t, o, m);
            }

            @Override
            public void closed(TcpConnection c, long t, CloseReason reason) {
                rec.closed(c, t, reason);
            }
        });
        Wire w = new Wire(r, "10.0.0.1", 443, "10.0.0.2", 50000); // client on 443: the port rule guesses wrong
        w.c(10, "\u0016hello").s(90, "\u0016server hello").c(16, "\u0017app");
        String[] events = rec.take().toArray(String[]::new);
        assertThat(events).containsExactly(
                "opened 0 10.0.0.2:50000 -> 10.0.0.1:443 nosyn #1",
                "data 0 s @0 \u0016hello #1",       // before the swap
                "data 0 s @0 \u0016server hello #2", // the swap made 10.0.0.2 the server
                "data 0 c @6 \u0017app #3");
        assertThat(rec.text(0, true)).isEqualTo("\u0016hello\u0017app");
        assertThat(rec.text(0, false)).isEqualTo("\u0016server hello");
    }

    @Test
    void missingFinClosesAtEndOfCapture() {
        Wire w = wire().handshake(1000, 5000).c(1001, "abc").c(1004, 5001, FIN | ACK, null);
        assertThat(w.reassembler.openConnections()).isEqualTo(1);
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #4", "closed 0 EOF");
        assertThat(w.reassembler.openConnections()).isZero();
        assertThat(w.reassembler.trackedConnections()).isZero();
    }

    @Test
    void theEndOfTheCaptureClosesOpenConnectionsInTheirOrder() {
        TcpReassembler r = new TcpReassembler(rec);
        Wire a = new Wire(r, "10.0.0.1", 50000, "10.0.0.2", 443);
        Wire b = new Wire(r, "10.0.0.3", 50000, "10.0.0.2", 443);
        Wire c = new Wire(r, "10.0.0.4", 50000, "10.0.0.2", 443);
        a.c(1, "a");
        b.c(1, "b");
        c.c(1, "c");
        b.c(2, 0, FIN, null).s(9, 3, FIN | ACK, null);
        for (int i = 0; i < 50; i++) { // enough connections that the table's order is not the opening order
            new Wire(r, "10.9.0." + i, 50000, "10.0.0.2", 443).c(1, "x");
        }
        rec.take();
        assertThat(r.openConnections()).isEqualTo(52);
        r.finish(99);
        List<String> closes = rec.take();
        assertThat(closes).hasSize(52).allMatch(e -> e.startsWith("closed ") && e.endsWith(" EOF"));
        List<Long> ids = closes.stream().map(e -> Long.parseLong(e.split(" ")[1])).toList();
        assertThat(ids).isSorted().doesNotContain(1L);
    }

    @Test
    void theStreamsStartIsUnknownUntilItsSideSendsSomething() {
        Wire w = wire();
        w.s(5000, 1001, ACK, null); // a bare ACK: the server's data would start at 5000, but nothing fixes it yet
        TcpConnection c = rec.connections.get(0L);
        assertThat(c.sequenceAt(false, 0)).isEqualTo(-1);
        assertThat(c.sequenceAt(true, 0)).isEqualTo(-1);
        w.c(1001, "ab").s(5000, "xyz");
        assertThat(c.sequenceAt(true, 0)).isEqualTo(1001);
        assertThat(c.sequenceAt(false, 3)).isEqualTo(5003);
        assertThat(c.nextOffset(true)).isEqualTo(2);
        assertThat(c.nextOffset(false)).isEqualTo(3);
    }

    @Test
    void rstClosesAtOnceDeclaringHolesAndItsLatePacketsAreIgnored() {
        Wire w = wire().handshake(1000, 5000)
                .c(1001, "abc").c(1010, "jkl")   // [3,9) missing
                .s(5001, 1004, RST | ACK, "diagnostic text is not data")
                .c(1013, "mno").c(1004, "defghi");
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abc #4",
                "gap 0 c @3 +6 #6", "data 0 c @9 jkl #6",
                "closed 0 RST");
        assertThat(w.reassembler.counters().afterCloseSegments()).isEqualTo(2);
    }

    @Test
    void aLoneRstIsAConnectionOfItsOwn() {
        wire().s(5000, 1001, RST | ACK, null);
        assertThat(rec.take()).containsExactly("opened 0 10.0.0.1:50000 -> 10.0.0.2:443 nosyn #1", "closed 0 RST");
    }

    @Test
    void sequenceNumbersWrapAroundAt2To32() {
        long isn = 0xFFFF_FFF8L; // offset 0 is 0xFFFFFFF9; offset 7 is sequence 0
        Wire w = wire().handshake(isn, 0xFFFF_FFFFL)
                .c(isn + 1 + 10, "KLMNO")            // [10,15): seq 3.., wrapped, held
                .c(isn + 1, "abcde")                 // [0,5)
                .c(isn + 1 + 5, "fghijk")            // [5,11): crosses the wrap, overlaps K
                .s(0, isn + 1 + 15, ACK | PSH, "xyz") // the server's offset 0 is sequence 0 (ISN 2^32-1)
                .c(isn + 1 + 15, "pq");
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abcde #5",
                "data 0 c @5 fghij #6", "data 0 c @10 KLMNO #6",
                "data 0 s @0 xyz #7",
                "data 0 c @15 pq #8");
        assertThat(rec.connections.get(0L).sequenceAt(true, 7)).isZero();
    }

    @Test
    void offsetsAreSixtyFourBitPastFourGibibytes() {
        TcpConnection c = new TcpConnection(new TcpReassembler(rec), null, 0, Wire.address("10.0.0.1"), 1,
                Wire.address("10.0.0.2"), 2, false);
        HalfStream h = c.client;
        h.baseAt(0xFFFF_FF00L);
        h.next = 5L << 32 | 0x80; // 5 laps of the sequence space, plus 0x80
        assertThat(h.offsetOf(0xFFFF_FF00L + 0x80 & 0xFFFF_FFFFL)).isEqualTo(5L << 32 | 0x80);
        assertThat(h.offsetOf(0xFFFF_FF00L + 0x90 & 0xFFFF_FFFFL)).isEqualTo(5L << 32 | 0x90);
        assertThat(h.offsetOf(0xFFFF_FF00L + 0x70 & 0xFFFF_FFFFL)).isEqualTo(5L << 32 | 0x70);
        assertThat(h.offsetOf(0xFFFF_FF00L + 0x7FFF_FFFFL + 0x80 & 0xFFFF_FFFFL)).isEqualTo((5L << 32 | 0x80) + 0x7FFF_FFFFL);
    }

    @Test
    void aNewSynAfterFinIsANewConnection() {
        Wire w = wire().handshake(1000, 5000).c(1001, "one")
                .c(1004, 5001, FIN | ACK, null).s(5001, 1005, FIN | ACK, null).c(1005, 5002, ACK, null)
                .handshake(90_000, 70_000).c(90_001, "two");
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 one #4",
                "closed 0 FIN",
                "opened 1 10.0.0.1:50000 -> 10.0.0.2:443 syn #8",
                "data 1 c @0 two #11",
                "closed 1 EOF");
    }

    @Test
    void aSynWithAnotherIsnWhileOpenClosesTheOldConnectionAsReused() {
        Wire w = wire().handshake(1000, 5000).c(1001, "one").c(1010, "held")
                .handshake(90_000, 70_000).c(90_001, "two");
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 one #4",
                "gap 0 c @3 +6 #6", "data 0 c @9 held #6",
                "closed 0 REUSED",
                "opened 1 10.0.0.1:50000 -> 10.0.0.2:443 syn #6",
                "data 1 c @0 two #9",
                "closed 1 EOF");
    }

    @Test
    void aRetransmittedSynIsTheSameConnection() {
        Wire w = wire();
        w.c(1000, 0, SYN, null).c(1000, 0, SYN, null).s(5000, 1001, SYN | ACK, null)
                .c(1000, 0, SYN, null).s(5000, 1001, SYN | ACK, null).c(1001, 5001, ACK | PSH, "x");
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 x #6", "closed 0 EOF");
    }

    @Test
    void aSynAfterRstIsANewConnectionEvenWithTheSameIsn() {
        // a client retrying after a RST with its old ISN: a new tcp.stream for us, not for tshark
        Wire w = wire();
        w.c(1000, 0, SYN, null).s(0, 1001, RST | ACK, null).c(1000, 0, SYN, null).s(5000, 1001, SYN | ACK, null)
                .c(1001, 5001, ACK | PSH, "x");
        assertThat(rec.take()).containsExactly(OPENED, "closed 0 RST",
                "opened 1 10.0.0.1:50000 -> 10.0.0.2:443 syn #3", "data 1 c @0 x #5");
    }

    @Test
    void aSynAckRetransmittedAfterTheCloseIsIgnored() {
        Wire w = wire().handshake(1000, 5000)
                .c(1001, 5001, FIN | ACK, null).s(5001, 1002, FIN | ACK, null)
                .s(5000, 1001, SYN | ACK, null);
        assertThat(rec.take()).containsExactly(OPENED, "closed 0 FIN");
        assertThat(w.reassembler.counters().afterCloseSegments()).isEqualTo(1);
    }

    @Test
    void lingeringEndsAfterItsTimeAndTheAddressesAreForgotten() {
        Wire w = wire(ReassemblyOptions.defaults().withClosedLingerMicros(10_000)).handshake(1000, 5000)
                .c(1001, 5001, FIN | ACK, null).s(5001, 1002, FIN | ACK, null);
        w.c(1002, 5002, ACK, null); // 1 ms later: lingering
        assertThat(w.reassembler.trackedConnections()).isEqualTo(1);
        w.time += 20_000;
        w.c(1002, 5002, ACK | PSH, "late"); // 21 ms after the close: a new connection, from its middle
        assertThat(rec.take()).containsExactly(OPENED, "closed 0 FIN",
                "opened 1 10.0.0.1:50000 -> 10.0.0.2:443 nosyn #7", "data 1 c @0 late #7");
    }

    @Test
    void keepAlivesAreNotData() {
        Wire w = wire().handshake(1000, 5000).c(1001, 5001, ACK | PSH, "abc")
                .c(1003, 5001, ACK, null)   // Linux keep-alive: no payload, sequence number minus one
                .c(1003, 5001, ACK, "\0")   // BSD keep-alive: one garbage byte at sequence number minus one
                .c(1004, 5001, ACK | PSH, "def");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #4", "data 0 c @3 def #7");
        assertThat(w.reassembler.counters().duplicateBytes()).isEqualTo(1);
    }

    @Test
    void aZeroWindowProbesByteIsDeliveredOnce() {
        wire().handshake(1000, 5000).c(1001, 5001, ACK | PSH, "abc")
                .s(5001, 1004, ACK, null)    // window 0 (not our concern)
                .c(1004, 5001, ACK, "d")     // probe: the next byte
                .s(5001, 1004, ACK, null)    // not accepted
                .c(1004, 5001, ACK, "d")     // probe again
                .c(1004, 5001, ACK | PSH, "defg");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #4", "data 0 c @3 d #6", "data 0 c @4 efg #9");
    }

    @Test
    void aHoleAcknowledgedByTheReceiverIsAGapWhenTheSenderGoesOn() {
        Wire w = wire().handshake(1000, 5000)
                .c(1001, 5001, ACK | PSH, "hello")
                .c(1011, 5001, ACK | PSH, "world")   // [5,10) was not captured
                .s(5001, 1016, ACK, null)            // ...but the server got it
                .c(1016, 5001, ACK | PSH, "again");  // a later client segment: [5,10) cannot come any more
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 hello #4",
                "gap 0 c @5 +5 #7", "data 0 c @10 world #7", "data 0 c @15 again #7");
        assertThat(w.reassembler.counters().gapBytes()).isEqualTo(5);
    }

    @Test
    void aGapIsDescribedWithItsSequenceNumber() {
        wire().handshake(0xFFFF_FFFEL, 5000).c(0xFFFF_FFFFL, "a").c(3, "e").finish(); // [1,4) missing, across the wrap
        assertThat(rec.take()).contains("gap 0 c @1 +3 #5"); // at the end: the last packet's number
        assertThat(rec.connections.get(0L).describeGap(true, 1, 3)).isEqualTo("tcp.stream 0 10.0.0.1:50000 -> 10.0.0.2:443,"
                + " client to server: gap in the TCP stream at sequence 0 (offset 1), 3 bytes missing (not in the capture)");
        assertThat(rec.connections.get(0L).describeGap(false, 0, 1)).endsWith("at sequence 5001 (offset 0), 1 byte missing (not in the capture)");
    }

    @Test
    void anAckBeforeTheDataItAcknowledgesDoesNotLoseTheData() {
        // capture reordering across directions: the server's ACK is captured before the data; the next
        // client segment is the late data itself, which fills the hole
        wire().handshake(1000, 5000)
                .c(1001, 5001, ACK | PSH, "hello")
                .c(1011, 5001, ACK | PSH, "world")
                .s(5001, 1016, ACK, null)
                .c(1006, 5001, ACK | PSH, "there");
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 hello #4", "data 0 c @5 there #7", "data 0 c @10 world #7");
    }

    @Test
    void aPartlyAcknowledgedHoleLosesOnlyTheAcknowledgedPart() {
        wire().handshake(1000, 5000)
                .c(1001, "hello")
                .c(1016, "again")                 // [5,15) missing
                .s(5001, 1011, ACK, null)         // [5,10) received by the server
                .c(1021, "!")                     // -> gap [5,10); [10,15) may still come
                .c(1011, "world");
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 hello #4",
                "gap 0 c @5 +5 #7",
                "data 0 c @10 world #8", "data 0 c @15 again #8", "data 0 c @20 ! #8");
    }

    @Test
    void anAcknowledgedFinEndsTheDirectionWithItsHoles() {
        Wire w = wire().handshake(1000, 5000)
                .c(1001, "hello")
                .c(1011, 5001, ACK | PSH | FIN, "world")  // [5,10) missing, FIN at 15
                .s(5001, 1017, ACK | FIN, null);          // acknowledges the FIN, and ends the server side
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 hello #4",
                "gap 0 c @5 +5 #6", "data 0 c @10 world #6",
                "closed 0 FIN");
        assertThat(w.reassembler.openConnections()).isZero();
    }

    @Test
    void withoutGapsFromAcksAHoleWaitsForTheClose() {
        Wire w = wire(ReassemblyOptions.defaults().withGapsFromAcks(false)).handshake(1000, 5000)
                .c(1001, "hello").c(1011, "world").s(5001, 1016, ACK, null).c(1016, "again");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 hello #4");
        w.finish();
        assertThat(rec.take()).containsExactly(
                "gap 0 c @5 +5 #7", "data 0 c @10 world #7", "data 0 c @15 again #7", "closed 0 EOF");
    }

    @Test
    void theBufferLimitDeclaresTheFirstHoleAndMovesOn() {
        long twoPieces = 2 * (3 + ReassemblyOptions.PIECE_OVERHEAD);
        Wire w = wire(ReassemblyOptions.defaults().withMaxBufferedPerDirection(twoPieces)).handshake(1000, 5000)
                .c(1001, "abc")
                .c(1007, "ghi")   // held
                .c(1013, "mno")   // held: at the limit
                .c(1019, "stu");  // over it: [3,6) goes, then [9,12) is the first hole and the rest fits
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abc #4",
                "gap 0 c @3 +3 #7", "data 0 c @6 ghi #7");
        w.c(1010, "jkl");
        assertThat(rec.take()).containsExactly("data 0 c @9 jkl #8", "data 0 c @12 mno #8");
    }

    @Test
    void aZeroBufferLimitHoldsNothing() {
        wire(ReassemblyOptions.defaults().withMaxBufferedPerDirection(0)).handshake(1000, 5000)
                .c(1004, "def").c(1001, "abc");
        assertThat(rec.take()).containsExactly(OPENED, "gap 0 c @0 +3 #4", "data 0 c @3 def #4");
    }

    @Test
    void theEndOfTheCaptureDeclaresHolesUpToTheFinAndTheAcknowledgedTail() {
        Wire w = wire(ReassemblyOptions.defaults()).handshake(1000, 5000)
                .c(1001, "abc").c(1007, 5001, ACK | FIN, "ghi")    // [3,6) missing, FIN at 9
                .s(5001, 1004, ACK | PSH, "xyz")
                .c(1010, 5004, ACK, null)                           // no FIN ack yet
                .s(5004, 1004, ACK | PSH, "12").c(1010, 5011, ACK, null); // [5,10) of the server's never captured
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED,
                "data 0 c @0 abc #4",
                "data 0 s @0 xyz #6",
                "data 0 s @3 12 #8",
                "gap 0 c @3 +3 #9", "data 0 c @6 ghi #9",
                "gap 0 s @5 +5 #9",
                "closed 0 EOF");
    }

    @Test
    void anAcknowledgedFinThatWasNotCapturedIsNoGap() {
        // mid-connection capture: the server's FIN is missing, the client's ACK of it is there
        Wire w = wire().c(1001, 5001, ACK | PSH, "GET /").s(5001, 1006, ACK | PSH, "HTTP/1.1 200")
                .c(1006, 5014, ACK | PSH, "bye");
        w.finish();
        assertThat(rec.take()).containsExactly("opened 0 10.0.0.1:50000 -> 10.0.0.2:443 nosyn #1",
                "data 0 c @0 GET / #1", "data 0 s @0 HTTP/1.1 200 #2", "data 0 c @5 bye #3", "closed 0 EOF");
        assertThat(w.reassembler.counters().gaps()).isZero();
    }

    @Test
    void anAcknowledgedTailOfTwoOrMoreIsStillAGap() {
        Wire w = wire().c(1001, 5001, ACK | PSH, "GET /").s(5001, 1006, ACK | PSH, "HTTP/1.1 200")
                .c(1006, 5015, ACK, null);
        w.finish();
        assertThat(rec.take()).contains("gap 0 s @12 +2 #3");
    }

    @Test
    void payloadAfterTheFinIsIgnored() {
        Wire w = wire().handshake(1000, 5000).c(1001, 5001, ACK | FIN, "abc").c(1004, "def").c(1001, "abcdef");
        w.finish();
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #4", "closed 0 EOF");
        assertThat(w.reassembler.counters().beyondFinBytes()).isEqualTo(6);
    }

    @Test
    void heldBytesBeyondALaterFinAreDropped() {
        Wire w = wire().handshake(1000, 5000).c(1007, "ghi").c(1004, 5001, ACK | FIN, "def").c(1001, "abc");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #6", "data 0 c @3 def #6");
        assertThat(w.reassembler.counters().beyondFinBytes()).isEqualTo(3);
    }

    @Test
    void aSegmentWhollyBeyondTheFinWhileAHoleRemainsIsIgnored() {
        Wire w = wire().handshake(1000, 5000).c(1004, 5001, ACK | FIN, "def").c(1010, "jkl").c(1001, "abc");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #6", "data 0 c @3 def #6");
        assertThat(w.reassembler.counters().beyondFinBytes()).isEqualTo(3);
    }

    @Test
    void dataOnTheSynIsTheStreamsFirstBytes() {
        wire().c(1000, 0, SYN, "early").s(5000, 1006, SYN | ACK, null).c(1006, 5001, ACK | PSH, "rest");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 early #1", "data 0 c @5 rest #3");
    }

    @Test
    void impossibleSegmentsAreCountedAndIgnored() {
        TcpReassembler r = new TcpReassembler(rec);
        r.segment(1, 1, null, 1, Wire.address("10.0.0.2"), 2, 0, 0, 0, Wire.bytes("x"));
        r.segment(2, 1, Wire.address("10.0.0.1"), 70000, Wire.address("10.0.0.2"), 2, 0, 0, 0, Wire.bytes("x"));
        r.segment(3, 1, Wire.address("10.0.0.1"), 1, Wire.address("10.0.0.2"), -1, 0, 0, 0, Wire.bytes("x"));
        r.finish(2);
        assertThat(rec.take()).isEmpty();
        assertThat(r.counters().invalidSegments()).isEqualTo(3);
    }

    @Test
    void ipv6ConnectionsAreKeyedLikeIpv4Ones() {
        Wire w = new Wire(new TcpReassembler(rec), "2001:db8::1", 50000, "2001:db8::2", 443);
        w.handshake(1, 2).c(2, "v6").s(3, "ok");
        w.clientAddress = Wire.address("2001:db8::3"); // another client: another connection
        w.c(9, "other");
        assertThat(rec.take()).containsExactly(
                "opened 0 2001:db8:0:0:0:0:0:1:50000 -> 2001:db8:0:0:0:0:0:2:443 syn #1",
                "data 0 c @0 v6 #4", "data 0 s @0 ok #5",
                "opened 1 2001:db8:0:0:0:0:0:3:50000 -> 2001:db8:0:0:0:0:0:2:443 nosyn #6",
                "data 1 c @0 other #6");
    }

    @Test
    void callingBackIntoTheReassemblerFromTheListenerIsRefused() {
        TcpReassembler[] self = new TcpReassembler[1];
        RuntimeException[] thrown = new RuntimeException[1];
        self[0] = new TcpReassembler(new StreamListener() {
            @Override
            public void opened(TcpConnection c, long p, long t) {
                try {
                    self[0].finish(t);
                } catch (RuntimeException e) {
                    thrown[0] = e;
                }
            }

            @Override
            public void data(TcpConnection c, boolean fromClient, long p, long t, io.netty.buffer.ByteBuf b, long o) {}

            @Override
            public void gap(TcpConnection c, boolean fromClient, long p, long t, long o, long m) {}

            @Override
            public void closed(TcpConnection c, long t, CloseReason r) {}
        });
        new Wire(self[0], "10.0.0.1", 50000, "10.0.0.2", 443).c(1, "x");
        assertThat(thrown[0]).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aThrowingListenerLeavesTheReassemblerConsistent() {
        int[] calls = {0};
        StreamListener failingOnce = new StreamListener() {
            @Override
            public void opened(TcpConnection c, long p, long t) {
                rec.opened(c, p, t);
            }

            @Override
            public void data(TcpConnection c, boolean fromClient, long p, long t, io.netty.buffer.ByteBuf b, long o) {
                rec.data(c, fromClient, p, t, b, o);
                if (++calls[0] == 1) {
                    throw new IllegalStateException("consumer bug");
                }
            }

            @Override
            public void gap(TcpConnection c, boolean fromClient, long p, long t, long o, long m) {
                rec.gap(c, fromClient, p, t, o, m);
            }

            @Override
            public void closed(TcpConnection c, long t, CloseReason r) {
                rec.closed(c, t, r);
            }
        };
        Wire w = new Wire(new TcpReassembler(failingOnce), "10.0.0.1", 50000, "10.0.0.2", 443).handshake(1000, 5000);
        w.c(1004, "def");
        try {
            w.c(1001, "abc"); // delivers abc, which throws; def stays held
        } catch (IllegalStateException expected) {
            // the consumer's exception reaches the caller
        }
        w.c(1007, "ghi");
        assertThat(rec.take()).containsExactly(OPENED, "data 0 c @0 abc #5", "data 0 c @3 def #6", "data 0 c @6 ghi #6");
    }
}
