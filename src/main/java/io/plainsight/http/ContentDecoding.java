package io.plainsight.http;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * Undoes a Content-Encoding for display (RFC 9110 8.4): identity, gzip and x-gzip (concatenated
 * members too), deflate (zlib-wrapped, or raw deflate as browsers also accept), br and zstd, and a
 * comma-separated list of them (applied in order, so undone from the last). Pure code.
 *
 * <p>The output is bounded: at most {@code maxOut} bytes are produced, then decoding stops and the
 * result is marked truncated, so a decompression bomb costs {@code maxOut} bytes of output (plus
 * the decoders' own windows: 32 KiB for deflate, at most 16 MiB for brotli, 8 MiB for zstd) and no
 * more work than producing them. The codings of a list are chained as streams: no intermediate
 * result is held, and {@code maxOut} bounds the final output only.
 *
 * <p>Never throws on bad input. An unknown coding anywhere in the list leaves the body as it is
 * (up to {@code maxOut}) with the error {@code unsupported content-coding 'x'}; corrupt or cut-short
 * data gives an error naming the coding and the cause ("truncated gzip data: ...", "invalid br
 * data: ..."), with the bytes decoded before it: for gzip and deflate all but at most the last
 * 1 KiB; zstd and brotli give out whole blocks only, and the brotli decoder reports a cut stream
 * as invalid rather than truncated. An empty body decodes to an empty body whatever the coding
 * (HEAD, 304).
 */
public final class ContentDecoding {
    private static final int FIRST_BUFFER = 8 * 1024;
    /** Largest read from a decoder: the bytes decoded before a failure are kept up to this granularity. */
    private static final int READ_STEP = 1024;

    private ContentDecoding() {}

    /**
     * The result of decoding.
     *
     * @param bytes the decoded bytes (at most {@code maxOut}); on an error, those decoded before it
     * @param truncated whether decoding stopped at {@code maxOut} with more output to come
     * @param error what went wrong, or null
     */
    public record Decoded(byte[] bytes, boolean truncated, String error) {}

    /**
     * Decodes {@code body} according to {@code contentEncoding} (a Content-Encoding field value, or
     * null for none).
     */
    public static Decoded decode(String contentEncoding, byte[] body, int maxOut) {
        int limit = Math.max(0, maxOut);
        List<String> codings = new ArrayList<>();
        if (contentEncoding != null) {
            for (String token : contentEncoding.split(",")) {
                String coding = token.trim().toLowerCase(Locale.ROOT);
                if (coding.isEmpty() || coding.equals("identity") || coding.equals("none")) {
                    continue;
                }
                if (!isSupported(coding)) {
                    return unchanged(body, limit, "unsupported content-coding '" + token.trim() + "'");
                }
                codings.add(coding);
            }
        }
        if (codings.isEmpty() || body.length == 0) {
            return unchanged(body, limit, null);
        }
        InputStream in = new ByteArrayInputStream(body);
        for (int i = codings.size() - 1; i >= 0; i--) {
            in = new Stage(codings.get(i), in);
        }
        return readBounded(in, limit);
    }

    private static boolean isSupported(String coding) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate", "br", "zstd" -> true;
            default -> false;
        };
    }

    private static Decoded unchanged(byte[] body, int limit, String error) {
        if (body.length <= limit) {
            return new Decoded(body.clone(), false, error);
        }
        return new Decoded(Arrays.copyOf(body, limit), true, error);
    }

    private static Decoded readBounded(InputStream in, int limit) {
        byte[] out = new byte[Math.min(limit, FIRST_BUFFER)];
        int n = 0;
        boolean truncated = false;
        String error = null;
        try {
            while (n < limit) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(limit, 2L * out.length));
                }
                int r = in.read(out, n, out.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            // one byte more tells a body that ends exactly at the limit from a longer one
            if (n == limit && in.read() >= 0) {
                truncated = true;
            }
        } catch (CodingFailure e) {
            error = e.getMessage();
        } catch (IOException | RuntimeException e) {
            error = "content decoding failed: " + describe(e);
        } finally {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // nothing to release beyond native inflaters, which close() ended
            }
        }
        return new Decoded(n == out.length ? out : Arrays.copyOf(out, n), truncated, error);
    }

    /** The messages of {@code e} and its causes, outermost first ("Brotli stream decoding failed: Unexpected end of input"). */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 500; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank() || out.indexOf(message) >= 0) {
                continue;
            }
            out.append(out.isEmpty() ? "" : ": ").append(message);
        }
        return out.isEmpty() ? e.getClass().getSimpleName() : out.toString();
    }

    /** Whether the first two bytes are a zlib header (RFC 1950 2.2: deflate, window <= 32K, FCHECK). */
    static boolean isZlibHeader(int cmf, int flg) {
        return (cmf & 0x0f) == 8 && (cmf >>> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    }

    /** A failure of one coding of the chain, already described. */
    private static final class CodingFailure extends IOException {
        CodingFailure(String message) {
            super(message);
        }
    }

    /**
     * One coding of the chain: opens its decoder on first read (the gzip and brotli decoders read
     * their headers in their constructors) and names the coding in any failure of it.
     */
    private static final class Stage extends InputStream {
        private final String coding;
        private final InputStream source;
        private InputStream decoder;
        private Inflater inflater;

        Stage(String coding, InputStream source) {
            this.coding = coding;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int r = read(one, 0, 1);
            return r <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                if (decoder == null) {
                    decoder = open();
                }
                // a decoder that fails drops what it decoded into b in the same call: small reads keep most of it
                return decoder.read(b, off, Math.min(len, READ_STEP));
            } catch (IOException | RuntimeException e) {
                throw failure(e);
            }
        }

        private InputStream open() throws IOException {
            return switch (coding) {
                case "gzip", "x-gzip" -> new GZIPInputStream(source, FIRST_BUFFER);
                case "deflate" -> openDeflate();
                case "br" -> new BrotliInputStream(source);
                case "zstd" -> new ZstdInputStream(source);
                default -> throw new IllegalStateException("unsupported content-coding " + coding);
            };
        }

        private InputStream openDeflate() throws IOException {
            // peek at two bytes to tell a zlib stream from raw deflate
            byte[] head = source.readNBytes(2);
            boolean zlib = head.length == 2 && isZlibHeader(head[0] & 0xff, head[1] & 0xff);
            if (zlib && (head[1] & 0x20) != 0) {
                // FDICT: the inflater would stop at once, and quietly, asking for the dictionary
                throw new IOException("the zlib stream needs a preset dictionary");
            }
            inflater = new Inflater(!zlib);
            InputStream rest = new SequenceInputStream(new ByteArrayInputStream(head), source);
            return new InflaterInputStream(rest, inflater, FIRST_BUFFER);
        }

        private CodingFailure failure(Exception e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof CodingFailure below) {
                    return below; // a stage below failed (perhaps wrapped by this stage's decoder): it is named already
                }
            }
            String cause = describe(e);
            boolean cutShort = e instanceof EOFException
                    || cause.equals("Not enough input bytes") // zstd
                    || cause.contains("Unexpected end of input") // brotli
                    || cause.contains("No more input");
            return new CodingFailure((cutShort ? "truncated " : "invalid ") + coding + " data: " + cause);
        }

        @Override
        public void close() throws IOException {
            try {
                if (decoder != null) {
                    decoder.close();
                } else {
                    source.close();
                }
            } finally {
                if (inflater != null) {
                    inflater.end();
                }
            }
        }
    }
}
