package io.plainsight.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * HPACK (RFC 7541) for the header blocks one endpoint of an HTTP/2 connection sends, keeping the
 * dynamic table from block to block. Netty's {@link DefaultHttp2HeadersDecoder} does the decoding,
 * without validating the fields (a capture shows what was sent, valid or not).
 *
 * <p>Every block must be decoded, in order, even those of streams nobody waits for, or the table
 * goes out of step. A decoded header list larger than the limit keeps its first fields only; the
 * table stays in step. Any other error (an index beyond the table, a bad Huffman code, a block cut
 * short, a table size update beyond the allowed maximum) leaves the table unusable.
 */
final class HpackBlockDecoder {

    /**
     * The fields of one header block in wire order (pseudo-header fields first, as HTTP/2 requires
     * them), names and values one char per byte.
     *
     * @param error why the block was not (fully) decoded, or null
     * @param fatal whether the error leaves the dynamic table unusable (every later block of this
     *     endpoint is undecodable)
     */
    record Block(List<Http1Header> fields, String error, boolean fatal) {}

    /** Netty's decoder, remembering the header list it fills so that a list over the limit keeps what was decoded. */
    private static final class Decoder extends DefaultHttp2HeadersDecoder {
        private Http2Headers last;

        Decoder(long maxHeaderListSize) {
            super(false, maxHeaderListSize);
        }

        @Override
        protected Http2Headers newHeaders() {
            last = super.newHeaders();
            return last;
        }
    }

    private final Decoder decoder;
    private final long maxListSize;

    /** @param maxListSize the largest decoded header list kept (RFC 7541 sizes: name + value + 32 per field) */
    HpackBlockDecoder(long maxListSize) {
        this.maxListSize = maxListSize;
        this.decoder = new Decoder(maxListSize);
    }

    /**
     * Sets the largest dynamic table the encoder may use (the receiver's SETTINGS_HEADER_TABLE_SIZE,
     * once acknowledged). Returns an error message if the value is out of range, else null.
     */
    String maxTableSize(long size) {
        try {
            decoder.maxHeaderTableSize(size);
            return null;
        } catch (Http2Exception e) {
            return e.getMessage();
        }
    }

    /** Decodes one complete header block, {@code bytes[offset, offset + length)}. */
    Block decode(int streamId, byte[] bytes, int offset, int length) {
        decoder.last = null;
        try {
            return new Block(fields(decoder.decodeHeaders(streamId, Unpooled.wrappedBuffer(bytes, offset, length))), null,
                    false);
        } catch (Http2Exception.HeaderListSizeException e) {
            List<Http1Header> kept = decoder.last == null ? List.of() : fields(decoder.last);
            return new Block(kept, "header list over " + maxListSize + " bytes decoded: fields after the first "
                    + kept.size() + " dropped", false);
        } catch (Http2Exception | RuntimeException e) {
            return new Block(List.of(), reason(e), true);
        }
    }

    /** Netty's message, made readable ("HPACK - illegal index value"). */
    private static String reason(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("entire header block") || m.contains("Incomplete header block")) {
            return "HPACK - the block ends in the middle of a field";
        }
        m = m.replace("Error decoding headers: ", "");
        return m.startsWith("HPACK") ? m : "HPACK - " + m;
    }

    private static List<Http1Header> fields(Http2Headers headers) {
        List<Http1Header> out = new ArrayList<>(headers.size());
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            out.add(new Http1Header(e.getKey().toString(), e.getValue().toString()));
        }
        return out;
    }
}
