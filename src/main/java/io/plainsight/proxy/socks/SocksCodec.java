package io.plainsight.proxy.socks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SOCKS5 (RFC 1928) with username/password authentication (RFC 1929), and SOCKS4/4a: parsers
 * for what a client sends and builders for the proxy's replies. Pure code, no I/O.
 *
 * <p>Every parse method reads at {@code in.readerIndex()}. While the message is incomplete it
 * returns null and consumes nothing; once complete it consumes exactly the message's bytes
 * (anything after it, such as the first bytes of a tunnel, stays readable). A malformed message
 * throws {@link SocksException} naming the message and the cause, as soon as the bytes that show
 * it have arrived (a wrong version byte is reported on the first byte).
 *
 * <p>Choices where the RFCs leave room: the SOCKS5 request's reserved byte is ignored whatever
 * its value (it carries nothing; rejecting it would only break sloppy clients); an unknown
 * command is returned as parsed (the proxy answers {@link #REP_COMMAND_NOT_SUPPORTED}) while an
 * unknown address type is an error (the message length is then unknown); empty usernames and
 * passwords are accepted (RFC 1929 asks for 1..255 bytes, but clients send empty passwords and
 * the proxy decides whether they match); username and password must be valid UTF-8; domain names
 * must be 1..255 bytes of visible characters (no controls, no spaces) in valid UTF-8; SOCKS4
 * USERID and SOCKS4a host fields are capped at 255 bytes before their NUL.
 */
public final class SocksCodec {
    public static final int METHOD_NO_AUTH = 0, METHOD_USER_PASS = 2, METHOD_NONE_ACCEPTABLE = 0xFF;
    public static final int CMD_CONNECT = 1, CMD_BIND = 2, CMD_UDP_ASSOCIATE = 3;
    public static final int REP_SUCCEEDED = 0, REP_GENERAL_FAILURE = 1, REP_NOT_ALLOWED = 2, REP_NETWORK_UNREACHABLE = 3,
            REP_HOST_UNREACHABLE = 4, REP_CONNECTION_REFUSED = 5, REP_TTL_EXPIRED = 6, REP_COMMAND_NOT_SUPPORTED = 7,
            REP_ADDRESS_TYPE_NOT_SUPPORTED = 8;
    /** SOCKS4 reply codes (CD) used by {@link #reply4}. */
    public static final int REP4_GRANTED = 90, REP4_REJECTED = 91;
    /** The longest SOCKS4 USERID or SOCKS4a host name accepted, in bytes, NUL excluded. */
    public static final int MAX_SOCKS4_FIELD = 255;

    static final int ATYP_IPV4 = 1, ATYP_DOMAIN = 3, ATYP_IPV6 = 4;

    private SocksCodec() {}

    /**
     * The version byte of the first message, to choose between SOCKS4 and SOCKS5 (or neither),
     * without consuming it; -1 if no byte is readable.
     */
    public static int peekVersion(ByteBuf in) {
        return in.isReadable() ? in.getUnsignedByte(in.readerIndex()) : -1;
    }

    /** VER=5 NMETHODS METHODS (RFC 1928 section 3). */
    public static Socks5Greeting parseGreeting(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        int n = in.readableBytes();
        if (n < 1) {
            return null;
        }
        checkVersion(in.getUnsignedByte(r), 5, "SOCKS5 greeting");
        if (n < 2) {
            return null;
        }
        int count = in.getUnsignedByte(r + 1);
        if (count == 0) {
            throw new SocksException("SOCKS5 greeting: no authentication methods offered");
        }
        if (n < 2 + count) {
            return null;
        }
        List<Integer> methods = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            methods.add((int) in.getUnsignedByte(r + 2 + i));
        }
        in.skipBytes(2 + count);
        return new Socks5Greeting(methods);
    }

    /** VER=1 ULEN UNAME PLEN PASSWD (RFC 1929 section 2). */
    public static SocksCredentials parseUserPass(ByteBuf in) throws SocksException {
        String what = "SOCKS5 username/password request";
        int r = in.readerIndex();
        int n = in.readableBytes();
        if (n < 1) {
            return null;
        }
        checkVersion(in.getUnsignedByte(r), 1, what);
        if (n < 2) {
            return null;
        }
        int ulen = in.getUnsignedByte(r + 1);
        if (n < 3 + ulen) {
            return null;
        }
        int plen = in.getUnsignedByte(r + 2 + ulen);
        int total = 3 + ulen + plen;
        if (n < total) {
            return null;
        }
        String user = utf8(in, r + 2, ulen, what + ": username");
        String pass = utf8(in, r + 3 + ulen, plen, what + ": password");
        in.skipBytes(total);
        return new SocksCredentials(user, pass);
    }

    /** VER=5 CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 section 4). */
    public static SocksRequest parseRequest5(ByteBuf in) throws SocksException {
        String what = "SOCKS5 request";
        int r = in.readerIndex();
        int n = in.readableBytes();
        if (n < 1) {
            return null;
        }
        checkVersion(in.getUnsignedByte(r), 5, what);
        if (n < 4) {
            return null;
        }
        int command = in.getUnsignedByte(r + 1);
        // r + 2: RSV, ignored whatever its value
        int atyp = in.getUnsignedByte(r + 3);
        int addrLen;
        int addrAt = r + 4;
        switch (atyp) {
            case ATYP_IPV4 -> addrLen = 4;
            case ATYP_IPV6 -> addrLen = 16;
            case ATYP_DOMAIN -> {
                if (n < 5) {
                    return null;
                }
                addrLen = in.getUnsignedByte(r + 4);
                if (addrLen == 0) {
                    throw new SocksException(what + ": empty domain name");
                }
                addrAt = r + 5;
            }
            default -> throw new SocksException(what + ": unknown address type " + hex(atyp));
        }
        int total = (addrAt - r) + addrLen + 2;
        if (n < total) {
            return null;
        }
        String host;
        SocksAddressType type;
        switch (atyp) {
            case ATYP_IPV4 -> {
                host = ipv4(in, addrAt);
                type = SocksAddressType.IPV4;
            }
            case ATYP_IPV6 -> {
                byte[] a = new byte[16];
                in.getBytes(addrAt, a);
                host = ipv6(a);
                type = SocksAddressType.IPV6;
            }
            default -> {
                host = domain(in, addrAt, addrLen, what);
                type = SocksAddressType.DOMAIN;
            }
        }
        int port = in.getUnsignedShort(addrAt + addrLen);
        in.skipBytes(total);
        return new SocksRequest(5, command, host, port, type, null);
    }

    /**
     * SOCKS4: VN=4 CD DSTPORT DSTIP USERID NUL; SOCKS4a when DSTIP is 0.0.0.x with x non-zero,
     * followed by the host name and NUL.
     */
    public static SocksRequest parseRequest4(ByteBuf in) throws SocksException {
        int r = in.readerIndex();
        int n = in.readableBytes();
        if (n < 1) {
            return null;
        }
        checkVersion(in.getUnsignedByte(r), 4, "SOCKS4 request");
        if (n < 8) {
            return null;
        }
        int command = in.getUnsignedByte(r + 1);
        int port = in.getUnsignedShort(r + 2);
        boolean socks4a = in.getByte(r + 4) == 0 && in.getByte(r + 5) == 0 && in.getByte(r + 6) == 0
                && in.getByte(r + 7) != 0;
        String what = socks4a ? "SOCKS4a request" : "SOCKS4 request";
        int userAt = r + 8;
        int userNul = nul(in, userAt, what + ": user id");
        if (userNul < 0) {
            return null;
        }
        String userId = in.toString(userAt, userNul - userAt, StandardCharsets.ISO_8859_1);
        if (!socks4a) {
            String host = ipv4(in, r + 4);
            in.readerIndex(userNul + 1);
            return new SocksRequest(4, command, host, port, SocksAddressType.IPV4, userId);
        }
        int hostAt = userNul + 1;
        int hostNul = nul(in, hostAt, what + ": host name");
        if (hostNul < 0) {
            return null;
        }
        if (hostNul == hostAt) {
            throw new SocksException(what + ": empty host name");
        }
        String host = domain(in, hostAt, hostNul - hostAt, what);
        in.readerIndex(hostNul + 1);
        return new SocksRequest(4, command, host, port, SocksAddressType.DOMAIN, userId);
    }

    /** VER=5 METHOD: the method the proxy selected, or {@link #METHOD_NONE_ACCEPTABLE}. */
    public static ByteBuf methodSelection(ByteBufAllocator alloc, int method) {
        return alloc.buffer(2).writeByte(5).writeByte(u8(method, "method"));
    }

    /** VER=1 STATUS: 0 on success, 1 on failure (RFC 1929 section 2). */
    public static ByteBuf userPassReply(ByteBufAllocator alloc, boolean ok) {
        return alloc.buffer(2).writeByte(1).writeByte(ok ? 0 : 1);
    }

    /**
     * VER=5 REP RSV=0 ATYP BND.ADDR BND.PORT. {@code bound} null gives 0.0.0.0:0; an unresolved
     * address is sent as a domain name (at most 255 bytes of ASCII), an IPv6 address as ATYP 4.
     */
    public static ByteBuf reply5(ByteBufAllocator alloc, int rep, InetSocketAddress bound) {
        u8(rep, "rep");
        ByteBuf out = alloc.buffer(22);
        out.writeByte(5).writeByte(rep).writeByte(0);
        if (bound == null) {
            out.writeByte(ATYP_IPV4).writeInt(0).writeShort(0);
            return out;
        }
        InetAddress address = bound.isUnresolved() ? null : bound.getAddress();
        if (address instanceof Inet4Address) {
            out.writeByte(ATYP_IPV4).writeBytes(address.getAddress());
        } else if (address instanceof Inet6Address) {
            out.writeByte(ATYP_IPV6).writeBytes(address.getAddress());
        } else {
            byte[] name = bound.getHostString().getBytes(StandardCharsets.US_ASCII);
            if (name.length == 0 || name.length > 255) {
                out.release();
                throw new IllegalArgumentException("bound host name must be 1..255 bytes: " + bound.getHostString());
            }
            out.writeByte(ATYP_DOMAIN).writeByte(name.length).writeBytes(name);
        }
        out.writeShort(bound.getPort());
        return out;
    }

    /**
     * VN=0 CD=90 (granted) or 91 (rejected) DSTPORT DSTIP. {@code bound} null, unresolved or IPv6
     * (which SOCKS4 cannot carry) gives port and address zero.
     */
    public static ByteBuf reply4(ByteBufAllocator alloc, boolean granted, InetSocketAddress bound) {
        ByteBuf out = alloc.buffer(8);
        out.writeByte(0).writeByte(granted ? REP4_GRANTED : REP4_REJECTED);
        if (bound != null && !bound.isUnresolved() && bound.getAddress() instanceof Inet4Address v4) {
            out.writeShort(bound.getPort()).writeBytes(v4.getAddress());
        } else {
            out.writeShort(0).writeInt(0);
        }
        return out;
    }

    private static void checkVersion(int version, int expected, String what) throws SocksException {
        if (version != expected) {
            throw new SocksException(what + ": version " + hex(version) + ", expected " + hex(expected));
        }
    }

    /** The index of the NUL ending the field at {@code from}, -1 while it has not arrived. */
    private static int nul(ByteBuf in, int from, String what) throws SocksException {
        int end = Math.min(in.writerIndex(), from + MAX_SOCKS4_FIELD + 1);
        int at = from < end ? in.indexOf(from, end, (byte) 0) : -1;
        if (at < 0 && end - from > MAX_SOCKS4_FIELD) {
            throw new SocksException(what + " longer than " + MAX_SOCKS4_FIELD + " bytes");
        }
        return at;
    }

    private static String ipv4(ByteBuf in, int at) {
        return in.getUnsignedByte(at) + "." + in.getUnsignedByte(at + 1) + "." + in.getUnsignedByte(at + 2) + "."
                + in.getUnsignedByte(at + 3);
    }

    /** RFC 5952 text, IPv4-mapped addresses as ::ffff:a.b.c.d. */
    static String ipv6(byte[] a) {
        boolean mapped = true;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = a[i] == 0;
        }
        if (mapped && a[10] == (byte) 0xff && a[11] == (byte) 0xff) {
            return "::ffff:" + (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        return NetUtil.bytesToIpAddress(a);
    }

    private static String domain(ByteBuf in, int at, int len, String what) throws SocksException {
        for (int i = at; i < at + len; i++) {
            int b = in.getUnsignedByte(i);
            if (b <= 0x20 || b == 0x7f) {
                throw new SocksException(what + ": invalid character " + hex(b) + " in domain name");
            }
        }
        return utf8(in, at, len, what + ": domain name");
    }

    private static String utf8(ByteBuf in, int at, int len, String what) throws SocksException {
        ByteBuffer bytes = in.nioBuffer(at, len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SocksException(what + " is not valid UTF-8");
        }
    }

    private static int u8(int value, String what) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(what + " out of range 0..255: " + value);
        }
        return value;
    }

    private static String hex(int b) {
        return String.format("0x%02X", b);
    }
}
