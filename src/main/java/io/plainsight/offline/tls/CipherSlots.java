package io.plainsight.offline.tls;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * One thread's Ciphers of one JCE transformation, {@value #SLOTS} of them, each claimed by one
 * owner (a record decrypter) at a time, round robin: an owner keeps its Cipher, and so the key
 * schedule the Cipher computed for its key, until {@value #SLOTS} other owners claimed one after
 * it. Ciphers are made when a slot is first used. Not thread-safe: {@link #of} gives the calling
 * thread's own.
 */
final class CipherSlots {
    /** Slots per thread and transformation: more than the directions of connections a capture interleaves. */
    static final int SLOTS = 64;

    private static final ThreadLocal<CipherSlots> GCM = ThreadLocal.withInitial(() -> new CipherSlots("AES/GCM/NoPadding"));
    private static final ThreadLocal<CipherSlots> CHACHA = ThreadLocal.withInitial(() -> new CipherSlots("ChaCha20-Poly1305"));

    private final String transformation;
    private final Cipher[] ciphers = new Cipher[SLOTS];
    private final Object[] owners = new Object[SLOTS];
    private int next;

    CipherSlots(String transformation) {
        this.transformation = transformation;
    }

    /** The calling thread's slots of AES/GCM/NoPadding (true) or ChaCha20-Poly1305 (false). */
    static CipherSlots of(boolean gcm) {
        return gcm ? GCM.get() : CHACHA.get();
    }

    /** Whether {@code owner} still holds {@code slot}. */
    boolean owns(int slot, Object owner) {
        return owners[slot] == owner;
    }

    /** Gives the next slot, round robin, to {@code owner} (whoever held it loses it) and returns it. */
    int claim(Object owner) {
        int slot = next;
        next = (next + 1) % SLOTS;
        owners[slot] = owner;
        return slot;
    }

    /** The slot's Cipher, made at its first use. */
    Cipher cipher(int slot) throws GeneralSecurityException {
        Cipher c = ciphers[slot];
        if (c == null) {
            c = Cipher.getInstance(transformation);
            ciphers[slot] = c;
        }
        return c;
    }
}
