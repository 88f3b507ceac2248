package io.plainsight.proxy.socks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SOCKS5 (RFC 1928), its username/password sub-negotiation (RFC 1929) and SOCKS4/4a, as pure
 * functions. Every parse method reads at {@code readerIndex}; it returns null while the message is
 * incomplete (consuming nothing) and consumes exactly the message once complete.
 */
public final class SocksCodec {
    public static final int METHOD_NO_AUTH = 0;
    public static final int METHOD_USER_PASS = 2;
    public static final int METHOD_NONE_ACCEPTABLE = 0xFF;
    public static final int CMD_CONNECT = 1;
    public static final int CMD_BIND = 2;
    public static final int CMD_UDP_ASSOCIATE = 3;
    public static final int REP_SUCCEEDED = 0;
    public static final int REP_GENERAL_FAILURE = 1;
    public static final int REP_NOT_ALLOWED = 2;
    public static final int REP_NETWORK_UNREACHABLE = 3;
    public static final int REP_HOST_UNREACHABLE = 4;
    public static final int REP_CONNECTION_REFUSED = 5;
    public static final int REP_TTL_EXPIRED = 6;
    public static final int REP_COMMAND_NOT_SUPPORTED = 7;
    public static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 8;
    /** SOCKS4 user ids and 4a host names longer than this are refused. */
    public static final int MAX_SOCKS4_FIELD = 255;

    private SocksCodec() {}

    /** VER=5 NMETHODS METHODS... */
    public static Socks5Greeting parseGreeting(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        if (in.readableBytes() < 2) {
            return null;
        }
        version(in.getUnsignedByte(r), 5, "SOCKS5 greeting");
        int n = in.getUnsignedByte(r + 1);
        if (n == 0) {
            throw new SocksException("SOCKS5 greeting: no authentication methods offered");
        }
        if (in.readableBytes() < 2 + n) {
            return null;
        }
        List<Integer> methods = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            methods.add((int) in.getUnsignedByte(r + 2 + i));
        }
        in.skipBytes(2 + n);
        return new Socks5Greeting(List.copyOf(methods));
    }

    /** VER=1 ULEN UNAME PLEN PASSWD (RFC 1929). */
    public static SocksCredentials parseUserPass(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        if (in.readableBytes() < 2) {
            return null;
        }
        if (in.getUnsignedByte(r) != 1) {
            throw new SocksException("SOCKS5 username/password: version " + hex(in.getUnsignedByte(r)) + ", expected 0x01");
        }
        int ulen = in.getUnsignedByte(r + 1);
        if (in.readableBytes() < 2 + ulen + 1) {
            return null;
        }
        int plen = in.getUnsignedByte(r + 2 + ulen);
        if (in.readableBytes() < 3 + ulen + plen) {
            return null;
        }
        String user = in.toString(r + 2, ulen, StandardCharsets.UTF_8);
        String pass = in.toString(r + 3 + ulen, plen, StandardCharsets.UTF_8);
        in.skipBytes(3 + ulen + plen);
        return new SocksCredentials(user, pass);
    }

    /** VER=5 CMD RSV ATYP DST.ADDR DST.PORT; a non-zero reserved byte is tolerated. */
    public static SocksRequest parseRequest5(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        if (in.readableBytes() < 5) {
            return null;
        }
        version(in.getUnsignedByte(r), 5, "SOCKS5 request");
        int cmd = in.getUnsignedByte(r + 1);
        int atyp = in.getUnsignedByte(r + 3);
        int addrLen;
        SocksAddressType type;
        switch (atyp) {
            case 1 -> {
                addrLen = 4;
                type = SocksAddressType.IPV4;
            }
            case 3 -> {
                addrLen = 1 + in.getUnsignedByte(r + 4);
                type = SocksAddressType.DOMAIN;
            }
            case 4 -> {
                addrLen = 16;
                type = SocksAddressType.IPV6;
            }
            default -> throw new SocksException("SOCKS5 request: unknown address type " + hex(atyp));
        }
        if (in.readableBytes() < 4 + addrLen + 2) {
            return null;
        }
        String host;
        if (type == SocksAddressType.DOMAIN) {
            if (addrLen == 1) {
                throw new SocksException("SOCKS5 request: empty domain name");
            }
            host = in.toString(r + 5, addrLen - 1, StandardCharsets.US_ASCII);
        } else {
            byte[] a = new byte[addrLen];
            in.getBytes(r + 4, a);
            host = address(a);
        }
        int port = in.getUnsignedShort(r + 4 + addrLen);
        in.skipBytes(4 + addrLen + 2);
        return new SocksRequest(5, cmd, host, port, type, null);
    }

    /** VN=4 CD DSTPORT DSTIP USERID NUL [HOSTNAME NUL when DSTIP is 0.0.0.x, x != 0 (SOCKS4a)]. */
    public static SocksRequest parseRequest4(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        if (in.readableBytes() < 9) {
            return null;
        }
        version(in.getUnsignedByte(r), 4, "SOCKS4 request");
        int cmd = in.getUnsignedByte(r + 1);
        int port = in.getUnsignedShort(r + 2);
        byte[] ip = new byte[4];
        in.getBytes(r + 4, ip);
        int userEnd = nul(in, r + 8, "user id");
        if (userEnd < 0) {
            return null;
        }
        String user = in.toString(r + 8, userEnd - (r + 8), StandardCharsets.UTF_8);
        boolean socks4a = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0;
        if (!socks4a) {
            in.readerIndex(userEnd + 1);
            return new SocksRequest(4, cmd, address(ip), port, SocksAddressType.IPV4, user);
        }
        int hostEnd = nul(in, userEnd + 1, "host name");
        if (hostEnd < 0) {
            return null;
        }
        if (hostEnd == userEnd + 1) {
            throw new SocksException("SOCKS4a request: empty host name");
        }
        String host = in.toString(userEnd + 1, hostEnd - userEnd - 1, StandardCharsets.US_ASCII);
        in.readerIndex(hostEnd + 1);
        return new SocksRequest(4, cmd, host, port, SocksAddressType.DOMAIN, user);
    }

    /** Index of the NUL ending a field starting at {@code from}, or -1 while incomplete. */
    private static int nul(ByteBuf in, int from, String what) throws SocksException {
        int end = in.writerIndex();
        for (int i = from; i < end; i++) {
            if (in.getByte(i) == 0) {
                return i;
            }
            if (i - from >= MAX_SOCKS4_FIELD) {
                throw new SocksException("SOCKS4 request: " + what + " longer than " + MAX_SOCKS4_FIELD + " bytes");
            }
        }
        return -1;
    }

    public static ByteBuf methodSelection(ByteBufAllocator alloc, int method) {
        return alloc.buffer(2).writeByte(5).writeByte(method);
    }

    public static ByteBuf userPassReply(ByteBufAllocator alloc, boolean ok) {
        return alloc.buffer(2).writeByte(1).writeByte(ok ? 0 : 1);
    }

    /** VER=5 REP RSV ATYP BND.ADDR BND.PORT; {@code bound} null means 0.0.0.0:0. */
    public static ByteBuf reply5(ByteBufAllocator alloc, int rep, InetSocketAddress bound) {
        byte[] addr = bound == null || bound.getAddress() == null ? new byte[4] : bound.getAddress().getAddress();
        ByteBuf b = alloc.buffer(6 + addr.length);
        b.writeByte(5).writeByte(rep).writeByte(0).writeByte(addr.length == 16 ? 4 : 1).writeBytes(addr);
        b.writeShort(bound == null ? 0 : bound.getPort());
        return b;
    }

    /** VN=0 CD=90 (granted) or 91 (rejected) DSTPORT DSTIP. */
    public static ByteBuf reply4(ByteBufAllocator alloc, boolean granted, InetSocketAddress bound) {
        byte[] addr = bound != null && bound.getAddress() != null && bound.getAddress().getAddress().length == 4
                ? bound.getAddress().getAddress() : new byte[4];
        return alloc.buffer(8).writeByte(0).writeByte(granted ? 90 : 91)
                .writeShort(bound == null ? 0 : bound.getPort()).writeBytes(addr);
    }

    private static void version(int got, int expected, String what) throws SocksException {
        if (got != expected) {
            throw new SocksException(what + ": version " + hex(got) + ", expected " + hex(expected));
        }
    }

    private static String address(byte[] a) {
        try {
            InetAddress ia = InetAddress.getByAddress(a);
            String s = ia.getHostAddress();
            return ia instanceof Inet6Address && s.indexOf('%') >= 0 ? s.substring(0, s.indexOf('%')) : s;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for wrong lengths, which the callers rule out
        }
    }

    private static String hex(int b) {
        return String.format("0x%02x", b);
    }
}
