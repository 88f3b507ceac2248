package io.plainsight.policy;

import java.util.List;

/**
 * The values of fields for one connection or exchange, as a {@link FilterExpression} reads them.
 *
 * <p>Keys are the source keys of {@link Fields} (see {@link Field#keys()}): {@code ip.src},
 * {@code tcp.dstport}, {@code http.header.user-agent}, ... Composite fields are read through their
 * parts ({@code ip.addr} asks for {@code ip.src} and {@code ip.dst}), so a source provides only the
 * parts. Value types by {@link FieldType}:
 * <ul>
 *   <li>ADDRESS: {@link java.net.InetAddress} (never resolved; an IPv4-mapped IPv6 address is an
 *       {@code Inet4Address}, as Java makes it)</li>
 *   <li>INTEGER: {@link Long} ({@link Integer}, {@link Short} and {@link Byte} are accepted)</li>
 *   <li>STRING: {@link String} holding bytes as ISO-8859-1 characters, one char per byte, as
 *       {@code io.plainsight.http} decodes header fields (filter literals are UTF-8 encoded into the
 *       same form, so {@code "é"} matches the bytes C3 A9)</li>
 *   <li>PRESENCE: any non-null value; the field is present when the list is non-empty</li>
 * </ul>
 * A value of another type is a programming error: evaluation throws {@link IllegalArgumentException}.
 *
 * <p>Evaluation runs per exchange on the capture thread: return lists that already exist (no
 * copying), and prefer {@link java.util.RandomAccess} lists.
 */
public interface FieldSource {
    /** The values of {@code key}, in no particular order; an empty list (or null) when absent. */
    List<Object> values(String key);
}
