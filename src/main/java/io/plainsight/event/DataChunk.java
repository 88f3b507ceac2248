package io.plainsight.event;

import io.netty.buffer.ByteBuf;

/**
 * Application bytes (decrypted when TLS carried them) that crossed in one direction.
 *
 * <p>{@code data} holds the bytes (the proxy copies small chunks into large shared buffers and
 * slices larger ones; the buffer is never written to). Each sink that receives the
 * event owns one reference and must release it (the capture bus does this after {@code accept}).
 */
public record DataChunk(long connectionId, long timestampMicros, Direction direction, ByteBuf data)
        implements CaptureEvent {}
