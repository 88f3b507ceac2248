package io.plainsight.offline.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingSegmentsTest {
    final PendingSegments p = new PendingSegments();

    static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    long insert(long start, String s) {
        ByteBuf b = buf("__" + s).skipBytes(2); // a non-zero reader index
        return p.insert(start, b, b.readerIndex(), s.length());
    }

    List<String> pieces() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            out.add(p.start(i) + ":" + new String(p.data(i), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void appendsInOrderAndKeepsTheFirstCopyOfOverlaps() {
        assertThat(insert(10, "klm")).isEqualTo(3);
        assertThat(insert(20, "uvw")).isEqualTo(3);
        assertThat(insert(5, "FGHIJKLMNOPQRSTUVWXYZ")).isEqualTo(15); // around both: 5-9, 13-19, 23-25
        assertThat(pieces()).containsExactly("5:FGHIJ", "10:klm", "13:NOPQRST", "20:uvw", "23:XYZ");
        assertThat(insert(11, "LMN")).isZero();
        assertThat(p.bytes()).isEqualTo(21);
        assertThat(p.charged()).isEqualTo(21 + 5 * ReassemblyOptions.PIECE_OVERHEAD);
    }

    @Test
    void removesFromTheFrontAndReusesTheArrays() {
        for (int i = 0; i < 100; i++) {
            insert(10L * i, "0123456789".substring(0, 5));
            if (i % 3 == 2) {
                p.removeFirst();
            }
        }
        assertThat(p.size()).isEqualTo(100 - 33);
        assertThat(p.firstStart()).isEqualTo(330);
        insert(335, "abcde"); // a hole between pieces, in the middle
        assertThat(pieces().subList(0, 3)).containsExactly("330:01234", "335:abcde", "340:01234");
        while (!p.isEmpty()) {
            p.removeFirst();
        }
        assertThat(p.bytes()).isZero();
        insert(7, "x");
        assertThat(pieces()).containsExactly("7:x");
    }

    @Test
    void anInsertFillingSeveralHolesWhileTheArraysAreCompacted() {
        for (int i = 0; i < 8; i++) {
            insert(10L * i, "ab"); // the arrays are full: 8 pieces
        }
        for (int i = 0; i < 5; i++) {
            p.removeFirst(); // 3 left at the end: the next insert slides them to the front
        }
        assertThat(insert(50, "abCDEFGHIJabMNOPQRSTabWXYZ0123")).isEqualTo(24);
        assertThat(pieces()).containsExactly(
                "50:ab", "52:CDEFGHIJ", "60:ab", "62:MNOPQRST", "70:ab", "72:WXYZ0123");
    }

    @Test
    void insertsBeforeEverything() {
        insert(10, "k");
        insert(0, "abc");
        insert(5, "f");
        assertThat(pieces()).containsExactly("0:abc", "5:f", "10:k");
    }
}
