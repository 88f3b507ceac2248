package io.plainsight.event;

import io.netty.buffer.ByteBuf;

/**
 * Bytes exactly as they crossed one leg's TCP connection (TLS records and all, before decryption
 * or after encryption), for sinks that write the raw wire (PCAPNG with the encrypted packets).
 * Sources publish these only when {@link CaptureBus#wantsWire()} says some sink takes them, so
 * the data path pays nothing otherwise.
 *
 * <p>Addresses: the {@link Leg#CLIENT} leg runs between {@link ConnectionOpened#client()} and
 * {@link ConnectionOpened#listener()}; the {@link Leg#UPSTREAM} leg between
 * {@link ConnectionOpened#upstreamLocal()} and {@link ConnectionOpened#server()}. {@code direction}
 * is as for {@link DataChunk}: CLIENT_TO_SERVER is client to plainsight on the client leg and
 * plainsight to server on the upstream leg.
 *
 * <p>{@code data} holds the bytes as a {@link DataChunk}'s does; the bus releases it after {@code accept}, like a
 * {@link DataChunk}'s.
 */
public record WireChunk(long connectionId, long timestampMicros, Leg leg, Direction direction, ByteBuf data)
        implements CaptureEvent {}
