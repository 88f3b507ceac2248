package io.plainsight.sink.exchange;

import io.plainsight.http.HttpMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A message body as outputs show it: content-decoded (gzip, deflate, br, zstd) when it was
 * encoded, as text when it is UTF-8 text, else base64.
 *
 * @param text the body text, or its base64
 * @param base64 whether {@code text} is base64
 * @param size the body size after content decoding (when decoded) or as transferred
 * @param truncated whether the kept bytes are not the whole body
 * @param note why the content could not be decoded, or null
 */
public record DisplayBody(String text, boolean base64, long size, boolean truncated, String note) {

    public static DisplayBody of(HttpMessage m, int maxBody) {
        byte[] raw = m.body.bytes();
        boolean truncated = m.body.truncated();
        long size = m.body.size();
        String note = null;
        String coding = m.header("Content-Encoding");
        byte[] shown = raw;
        if (coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity") && raw.length > 0) {
            if (truncated) {
                note = "content-coding '" + coding + "' not decoded: the body was truncated";
            } else {
                io.plainsight.http.ContentDecoding.Decoded d = io.plainsight.http.ContentDecoding.decode(coding, raw, maxBody);
                if (d.error() != null) {
                    note = d.error();
                } else {
                    shown = d.bytes();
                    truncated = d.truncated();
                    size = d.truncated() ? -1 : d.bytes().length;
                }
            }
        }
        String utf8 = isText(m) || looksLikeUtf8Text(shown) ? utf8(shown) : null;
        if (utf8 != null) {
            return new DisplayBody(utf8, false, size, truncated, note);
        }
        return new DisplayBody(Base64.getEncoder().encodeToString(shown), true, size, truncated, note);
    }

    /** A declared text type whose bytes are valid UTF-8. */
    private static boolean isText(HttpMessage m) {
        String type = m.header("Content-Type");
        if (type == null) {
            return false;
        }
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("text/") || t.contains("json") || t.contains("xml") || t.contains("javascript")
                || t.contains("x-www-form-urlencoded") || t.contains("graphql") || t.contains("yaml");
    }

    private static boolean looksLikeUtf8Text(byte[] b) {
        int n = Math.min(b.length, 4096);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return utf8(b) != null;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
