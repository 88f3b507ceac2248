/**
 * Reading captures down to TCP segments: the first stage of {@code plainsight decrypt}.
 *
 * <p>{@link io.plainsight.offline.capture.CaptureReader} streams a pcap or pcapng file or stream
 * (gzip detected by its magic; {@code -} is the caller's {@code open(System.in, "stdin")}) and
 * tells a {@link io.plainsight.offline.capture.CaptureListener}, in file order, of each
 * {@link io.plainsight.offline.capture.TcpSegment}, each pcapng Decryption Secrets Block, each
 * packet skipped (with a reason) and each problem in the file (a warning naming the file, the byte
 * offset and the packet). Pure: bytes in, callbacks out, no threads, but one: a gzip input is
 * inflated ahead on a thread of its own, invisible to the caller (see {@code CaptureReader}).
 *
 * <p>Files, by what they hold:
 * <ul>
 *   <li>{@code CaptureReader}, {@code CaptureListener}, {@code TcpSegment},
 *       {@code CaptureFormatException}: the API.
 *   <li>{@code CaptureInput}: the reusable, growable buffer over the stream, with absolute offsets;
 *       {@code ReadAhead}: the gzip inflate thread and its ring of buffers.
 *   <li>{@code PcapRecords}, {@code PcapngBlocks} (behind {@code RecordFormat}): the two file
 *       formats, their truncation and resynchronization after corrupt lengths;
 *       {@code CaptureInterface}, {@code TimestampUnit}: per-interface link type and time.
 *   <li>{@code PacketDecoder}: link layer, IPv4, IPv6 extension headers, TCP;
 *       {@code FragmentReassembler}: IPv4/IPv6 fragments; {@code AddressCache}: interned addresses;
 *       {@code LinkTypes}, {@code SkipReasons}, {@code Bytes}: constants and helpers.
 * </ul>
 *
 * <p>Packet numbers are tshark's (4.0) {@code frame.number}: every packet record counts, and so do
 * pcapng custom and systemd journal blocks, which tshark shows as frames. After a corrupt record the
 * reader cannot know how many records the damage hid: the numbers go on from the last good one.
 */
package io.plainsight.offline.capture;
