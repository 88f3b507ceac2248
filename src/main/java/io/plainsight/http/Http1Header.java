package io.plainsight.http;

import java.util.Objects;

/**
 * One header (or trailer) field line of an HTTP/1.x message.
 *
 * <p>Both strings are decoded as ISO-8859-1, so each char is exactly one byte of the wire and
 * {@code value.getBytes(ISO_8859_1)} gives the bytes back (UTF-8 sent by a peer shows up as one
 * char per byte).
 *
 * @param name the field name exactly as sent (case preserved)
 * @param value the field value with leading and trailing whitespace (SP, HTAB) removed
 */
public record Http1Header(String name, String value) {
    public Http1Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
