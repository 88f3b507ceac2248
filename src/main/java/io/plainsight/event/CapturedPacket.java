package io.plainsight.event;

import io.netty.buffer.ByteBuf;

/**
 * One packet of an input capture exactly as it was read ({@code plainsight decrypt}): its own link
 * type, interface, timestamp and bytes, for sinks that write the original encrypted packets next to
 * the decrypted streams (PCAPNG with {@code --pcapng-encrypted}). Published only when
 * {@link CaptureBus#wantsWire()} says some sink takes them, on the wire lanes like a
 * {@link WireChunk}, and in capture order: any {@link TlsSecrets} found while this packet was
 * processed is published before it, so a sink writing in arrival order writes the keys before the
 * packets they decrypt.
 *
 * @param connectionId the TCP connection the packet belongs to, or 0 (not TCP, an IP fragment ...)
 * @param interfaceName the input interface, e.g. "original: in.pcapng#0" (one per input interface)
 * @param linkType the input interface's link type (LINKTYPE_*)
 * @param originalLength the packet's length on the wire (more than the frame when the snaplen cut it)
 * @param frame the captured bytes (ownership of one reference passes to the bus, as for a WireChunk)
 */
public record CapturedPacket(long connectionId, long timestampMicros, String interfaceName, int linkType,
        long originalLength, ByteBuf frame) implements CaptureEvent {}
