package io.plainsight.offline.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** Test resources under offline/capture/ and small byte helpers. */
final class TestCaptures {
    private TestCaptures() {}

    static byte[] resource(String name) {
        try (InputStream in = TestCaptures.class.getResourceAsStream(Truth.RESOURCES + name)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + Truth.RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads all of {@code data} (named {@code name}) into a new recorder. */
    static Recorder read(byte[] data, String name) throws IOException {
        Recorder r = new Recorder();
        try (CaptureReader reader = CaptureReader.open(new java.io.ByteArrayInputStream(data), name)) {
            reader.readAll(r);
        }
        return r;
    }
}
