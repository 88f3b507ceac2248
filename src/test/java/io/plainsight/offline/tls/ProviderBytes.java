package io.plainsight.offline.tls;

import java.io.ByteArrayOutputStream;

/**
 * Writes fuzzer inputs that Jazzer's {@code FuzzedDataProvider} reads back as given, for the seed
 * inputs of {@link TlsRecordJazzerTest}, and reads them the same way ({@link Reader}, for tests
 * that run without Jazzer's native provider). Like libFuzzer's FuzzedDataProvider, on which
 * Jazzer's is built, {@code consumeBytes} takes from the front of the input, and numbers
 * ({@code consumeBoolean}, {@code consumeInt(min, max)}) from the back, as many bytes as the range
 * needs, most significant first, reduced modulo the range's size. The fuzz targets check in
 * regression mode that {@link Reader} reads each seed as Jazzer's provider does.
 */
final class ProviderBytes {
    private final ByteArrayOutputStream front = new ByteArrayOutputStream();
    /** The numbers' bytes in the order they are consumed (the input ends with them reversed). */
    private final ByteArrayOutputStream back = new ByteArrayOutputStream();

    /** Read by {@code consumeBytes(b.length)}. */
    ProviderBytes bytes(byte[] b) {
        front.writeBytes(b);
        return this;
    }

    /** Read by {@code consumeBoolean()}. */
    ProviderBytes bool(boolean v) {
        back.write(v ? 1 : 0);
        return this;
    }

    /** Read by {@code consumeInt(min, max)}: as many bytes as the range needs. */
    ProviderBytes intIn(int min, int max, int v) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " not in " + min + ".." + max);
        }
        long range = (long) max - min;
        long r = (long) v - min;
        int n = 0;
        while (n < 4 && (range >>> (8 * n)) > 0) {
            n++;
        }
        for (int k = n - 1; k >= 0; k--) {
            back.write((int) (r >>> (8 * k)));
        }
        return this;
    }

    byte[] build() {
        byte[] b = back.toByteArray();
        byte[] out = new byte[front.size() + b.length];
        System.arraycopy(front.toByteArray(), 0, out, 0, front.size());
        for (int i = 0; i < b.length; i++) {
            out[out.length - 1 - i] = b[i];
        }
        return out;
    }

    /** Reads an input as Jazzer's FuzzedDataProvider does (the calls {@link TlsRecordJazzerTest} makes). */
    static final class Reader implements TlsRecordJazzerTest.Input {
        private final byte[] data;
        private int front;
        private int end;

        Reader(byte[] data) {
            this.data = data;
            this.end = data.length;
        }

        @Override
        public int remaining() {
            return end - front;
        }

        @Override
        public byte[] bytes(int n) {
            int k = Math.min(n, remaining());
            byte[] b = java.util.Arrays.copyOfRange(data, front, front + k);
            front += k;
            return b;
        }

        @Override
        public boolean bool() {
            return remaining() > 0 && (data[--end] & 1) != 0;
        }

        @Override
        public int intIn(int min, int max) {
            long range = (long) max - min;
            long result = 0;
            for (int offset = 0; offset < 32 && (range >>> offset) > 0 && remaining() > 0; offset += 8) {
                result = (result << 8) | (data[--end] & 0xff);
            }
            return (int) (min + result % (range + 1));
        }
    }
}
