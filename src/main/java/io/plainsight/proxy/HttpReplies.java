package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The few HTTP/1.1 responses the forward proxy writes itself (errors, the onboarding page). */
final class HttpReplies {
    private HttpReplies() {}

    /** {@code 502 Bad Gateway} etc. with a one-line text body; closes the connection afterwards. */
    static ByteBuf error(ByteBufAllocator alloc, int status, String reason, String message, String... headers) {
        return response(alloc, status, reason, "text/plain; charset=utf-8",
                ("plainsight: " + message + "\n").getBytes(StandardCharsets.UTF_8), true, headers);
    }

    /** A complete response; {@code headers} are extra {@code Name: value} lines. */
    static ByteBuf response(ByteBufAllocator alloc, int status, String reason, String contentType, byte[] body,
            boolean close, String... headers) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        sb.append("Server: plainsight\r\n");
        sb.append("Content-Type: ").append(contentType).append("\r\n");
        sb.append("Content-Length: ").append(body.length).append("\r\n");
        sb.append("Cache-Control: no-store\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        if (close) {
            sb.append("Connection: close\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = alloc.buffer(head.length + body.length);
        buf.writeBytes(head).writeBytes(body);
        return buf;
    }
}
