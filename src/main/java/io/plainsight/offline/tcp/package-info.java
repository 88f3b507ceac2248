/**
 * TCP reassembly for offline decryption: {@link io.plainsight.offline.tcp.TcpReassembler} takes a
 * capture's TCP segments in capture order and reports each connection's two byte streams to a
 * {@link io.plainsight.offline.tcp.StreamListener}.
 *
 * <h2>Rules</h2>
 * <dl>
 * <dt>Connections and their numbers</dt>
 * <dd>A connection is identified by its two addresses and ports, either way round. Its number
 * counts from 0 in the order of the connections' first packets (any packet: a lone ACK or RST
 * opens one too), which is tshark's {@code tcp.stream} for ordinary captures. A SYN reuses the
 * addresses and ports (a new connection, the old one closes {@code REUSED} if still open) when
 * its sender already sent something in the old connection and the SYN's sequence number is not
 * the one the old connection knows for that sender. After FIN or RST, the connection lingers for
 * {@link io.plainsight.offline.tcp.ReassemblyOptions#closedLingerMicros()} of capture time: its late
 * packets are ignored (counted), and any SYN starts a new connection.</dd>
 * <dt>Client and server</dt>
 * <dd>The client sent the SYN (or received the SYN-ACK). With neither captured, the end with the
 * lower port is the server (equal ports: the first packet's destination). A SYN or SYN-ACK
 * captured later corrects that while nothing but {@code opened} was reported for the connection;
 * after that only the consumer does ({@link io.plainsight.offline.tcp.TcpConnection#swapRoles()},
 * e.g. on seeing who sent the TLS ClientHello), so that {@code fromClient} keeps its meaning.</dd>
 * <dt>Where a stream starts</dt>
 * <dd>At the byte after the SYN; after the SYN-ACK's acknowledgment number when only the SYN-ACK
 * was captured; otherwise at the first payload byte (or FIN) captured in that direction. Bytes
 * before the start that arrive later (reordered at the very start of a mid-connection capture)
 * are dropped.</dd>
 * <dt>Order and copies</dt>
 * <dd>Each direction's bytes are delivered as soon as they are contiguous, so events of the two
 * directions interleave in capture order. A segment that continues the stream is passed through
 * as it is (no copy); a segment ahead of a hole is copied and held until the hole fills.</dd>
 * <dt>Retransmissions and overlaps: the first captured copy wins</dt>
 * <dd>For any byte of a stream, the first captured segment that holds it decides its value: a
 * retransmission, or an overlapping segment, with different bytes is ignored where it overlaps
 * bytes already delivered or held (the "first" policy of Snort and Suricata; tshark's follow
 * also keeps what it delivered). Keep-alives (0 or 1 byte at the next sequence number minus one)
 * are old bytes and ignored the same way; a zero-window probe carries the stream's next byte,
 * which is delivered once and ignored when it is sent again.</dd>
 * <dt>Gaps</dt>
 * <dd>A hole is declared a gap (offset, length; the stream goes on after it) when the bytes can
 * no longer arrive: the receiver acknowledged past the hole and the sender then sent another
 * segment, or the receiver acknowledged the sender's FIN (both only with
 * {@link io.plainsight.offline.tcp.ReassemblyOptions#gapsFromAcks()}); the bytes held for the
 * direction exceed {@link io.plainsight.offline.tcp.ReassemblyOptions#maxBufferedPerDirection()}
 * (the first hole goes); or the connection closes (every hole, and the tail up to the FIN or to
 * what the receiver acknowledged; an acknowledgment of just one sequence number past the last
 * byte, with no FIN captured, acknowledges an uncaptured FIN and is no gap). Payload lost at the end of a capture with nothing after it
 * and no acknowledgment cannot be seen, so it is not reported.</dd>
 * <dt>End</dt>
 * <dd>FIN from both sides, once every byte before each FIN was delivered or declared missing;
 * payload after a direction's FIN is ignored. RST closes at once, both directions' holes
 * becoming gaps (data a RST carries is not stream data). The end of the capture closes every
 * open connection with {@code EOF}.</dd>
 * <dt>Differences from tshark</dt>
 * <dd>Checked against tshark 4.0's {@code tcp.stream} and {@code -z follow,tcp,raw} (tests:
 * {@code TsharkAgreementTest}), which agree on real captures with reordering, retransmissions,
 * packet loss and a mid-connection start, and on synthetic ones. On purpose: tshark's follow keeps
 * bytes sent after a RST (the connection is closed for us), and a segment that covers bytes held
 * out of order replaces them in tshark's follow (the first copy wins for us). Numbering: a SYN
 * after a RST with the old ISN (a retried connection) is a new connection for us and the same
 * stream for tshark; so is a SYN-ACK with a new ISN when its SYN was not captured. tshark marks a
 * gap in its follow output with "[N bytes missing in capture file]".</dd>
 * </dl>
 *
 * <p>Memory: an open connection with nothing held costs about 260 bytes of heap (measured by
 * {@code TcpReassemblerThroughput} in the tests; the addresses' own objects aside); bytes held
 * out of order are bounded per direction by {@code maxBufferedPerDirection}. A closed connection
 * lingers (same cost) for {@code closedLingerMicros} of capture time. One thread uses a
 * reassembler; it keeps nothing of the caller's buffers after {@code segment} returns.
 */
package io.plainsight.offline.tcp;
