package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * A thread's Ciphers shared by record decrypters: an owner keeps its slot until {@value
 * CipherSlots#SLOTS} others claimed one, and decrypters that lose theirs (more connections
 * interleaved than slots) still decrypt every record.
 */
class CipherSlotsTest {
    @Test
    void ownerKeepsItsSlotUntilEveryOtherSlotWasClaimedAfterIt() throws Exception {
        CipherSlots slots = new CipherSlots("AES/GCM/NoPadding");
        Object first = new Object();
        int slot = slots.claim(first);
        Cipher cipher = slots.cipher(slot);
        assertThat(slots.cipher(slot)).isSameAs(cipher);
        for (int i = 1; i < CipherSlots.SLOTS; i++) {
            assertThat(slots.claim(new Object())).isNotEqualTo(slot);
            assertThat(slots.owns(slot, first)).isTrue();
        }
        Object late = new Object();
        assertThat(slots.claim(late)).isEqualTo(slot);
        assertThat(slots.owns(slot, first)).isFalse();
        assertThat(slots.owns(slot, late)).isTrue();
        assertThat(slots.cipher(slot)).isSameAs(cipher); // the Cipher stays with the slot
    }

    @Test
    void eachThreadHasItsOwnSlots() throws Exception {
        CipherSlots here = CipherSlots.of(true);
        assertThat(CipherSlots.of(true)).isSameAs(here);
        assertThat(CipherSlots.of(false)).isNotSameAs(here);
        AtomicReference<CipherSlots> there = new AtomicReference<>();
        Thread t = new Thread(() -> there.set(CipherSlots.of(true)));
        t.start();
        t.join();
        assertThat(there.get()).isNotNull().isNotSameAs(here);
    }

    @Test
    void moreInterleavedTls13DirectionsThanSlotsAllDecrypt() throws Exception {
        CipherSuite suite = CipherSuite.byCode(0x1302); // TLS_AES_256_GCM_SHA384
        int directions = CipherSlots.SLOTS + 9;
        byte[][] keys = new byte[directions][];
        byte[][] ivs = new byte[directions][];
        RecordDecrypter[] decrypters = new RecordDecrypter[directions];
        for (int d = 0; d < directions; d++) {
            keys[d] = filled(32, d);
            ivs[d] = filled(12, 100 + d);
            decrypters[d] = AeadDecrypter.create(suite, keys[d], ivs[d], true, false);
        }
        for (int seq = 0; seq < 3; seq++) { // every direction's record seq, round robin: each loses its slot
            for (int d = 0; d < directions; d++) {
                byte[] content = ("record " + seq + " of direction " + d).getBytes(StandardCharsets.US_ASCII);
                byte[] record = sealTls13(keys[d], ivs[d], seq, content);
                byte[] out = new byte[record.length];
                int n = decrypters[d].decrypt(23, 0x0303, record, 5, record.length - 5, out);
                assertThat(n).as("direction %d record %d", d, seq).isEqualTo(content.length);
                assertThat(Arrays.copyOfRange(out, decrypters[d].plainOffset, decrypters[d].plainOffset + n)).isEqualTo(content);
            }
        }
    }

    /** A TLS 1.3 application data record (RFC 8446 5.2) sealed with the JDK's own Cipher. */
    private static byte[] sealTls13(byte[] key, byte[] iv, long seq, byte[] content) throws Exception {
        byte[] inner = Arrays.copyOf(content, content.length + 1);
        inner[content.length] = 23; // the real content type
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
        }
        int length = inner.length + 16;
        byte[] header = {23, 3, 3, (byte) (length >>> 8), (byte) length};
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(header);
        byte[] sealed = c.doFinal(inner);
        byte[] record = Arrays.copyOf(header, 5 + sealed.length);
        System.arraycopy(sealed, 0, record, 5, sealed.length);
        return record;
    }

    private static byte[] filled(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
