#!/usr/bin/env python3
"""Makes the synthetic capture fixtures of io.plainsight.offline.capture (see README.md).

usage: make_fixtures.py OUTDIR

Deterministic: the same bytes on every run. Every packet has correct IP and TCP checksums.
"""
import os
import struct
import sys

# ---------------------------------------------------------------- checksums and headers

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=502, options=b"", pseudo_v6=False):
    """A TCP header and payload, with the checksum over the pseudo-header of src/dst (packed addresses)."""
    options += b"\0" * (-len(options) % 4)
    offset = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4 | (flags >> 8), flags & 0xFF, window, 0, 0) + options
    seg = hdr + payload
    if pseudo_v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = src + dst + struct.pack("!xBH", 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4(src, dst, payload, proto=6, ident=1, flags_frag=0x4000, ttl=64, options=b"", total=None):
    ihl = 5 + len(options) // 4
    length = ihl * 4 + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, length, ident, flags_frag, ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, next_header, payload, plen=None):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload) if plen is None else plen, next_header, 64, src, dst) + payload


def ext(next_header, body):
    """An IPv6 extension header (hop-by-hop, routing, destination options): body padded to 8n+6 bytes."""
    pad = (-(len(body) + 2)) % 8
    if pad == 1:
        body += b"\x00"  # Pad1
    elif pad > 1:
        body += bytes([1, pad - 2]) + b"\0" * (pad - 2)
    return bytes([next_header, (len(body) + 2) // 8 - 1]) + body


def ether(payload, ethertype=0x0800, tags=()):
    dst = bytes.fromhex("020000000002")
    src = bytes.fromhex("020000000001")
    out = dst + src
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", ethertype) + payload


def sll(payload, protocol=0x0800):
    return struct.pack("!HHH8sH", 0, 1, 6, bytes.fromhex("0200000000010000"), protocol) + payload


def sll2(payload, protocol=0x0800):
    return struct.pack("!HHIHBB8s", protocol, 0, 1, 1, 0, 6, bytes.fromhex("0200000000010000")) + payload


# ---------------------------------------------------------------- writers

class Pcap:
    def __init__(self, linktype, big_endian=False, nanos=False, snaplen=262144):
        self.e = ">" if big_endian else "<"
        self.nanos = nanos
        magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
        self.out = bytearray(struct.pack(self.e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))

    def add(self, ts_micros, frame, orig=None, ns_extra=0):
        sec, us = divmod(ts_micros, 1_000_000)
        frac = us * 1000 + ns_extra if self.nanos else us
        self.out += struct.pack(self.e + "IIII", sec, frac, len(frame), len(frame) if orig is None else orig) + frame


class Pcapng:
    def __init__(self, big_endian=False):
        self.e = ">" if big_endian else "<"
        self.out = bytearray()
        self.block(0x0A0D0D0A, struct.pack(self.e + "IHHq", 0x1A2B3C4D, 1, 0, -1))

    def block(self, btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        self.out += struct.pack(self.e + "II", btype, n) + body + struct.pack(self.e + "I", n)

    def option(self, code, value):
        return struct.pack(self.e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    def idb(self, linktype, snaplen=0, tsresol=None, tsoffset=None, name=None):
        opts = b""
        if name:
            opts += self.option(2, name.encode())
        if tsresol is not None:
            opts += self.option(9, bytes([tsresol]))
        if tsoffset is not None:
            opts += self.option(14, struct.pack(self.e + "q", tsoffset))
        if opts:
            opts += self.option(0, b"")
        self.block(1, struct.pack(self.e + "HHI", linktype, 0, snaplen) + opts)

    def epb(self, iface, ts_units, frame, orig=None):
        self.block(6, struct.pack(self.e + "IIIII", iface, ts_units >> 32, ts_units & 0xFFFFFFFF, len(frame),
                                  len(frame) if orig is None else orig) + frame)

    def pb(self, iface, ts_units, frame):
        self.block(2, struct.pack(self.e + "HHIIII", iface, 0, ts_units >> 32, ts_units & 0xFFFFFFFF, len(frame), len(frame)) + frame)

    def spb(self, frame):
        self.block(3, struct.pack(self.e + "I", len(frame)) + frame)

    def dsb(self, data, stype=0x544C534B):
        self.block(0x0A, struct.pack(self.e + "II", stype, len(data)) + data)

    def nrb(self):
        rec = struct.pack(self.e + "HH", 1, 4 + len(b"server.test\0")) + ip4("198.51.100.7") + b"server.test\0"
        rec += b"\0" * (-len(rec) % 4)
        self.block(4, rec + struct.pack(self.e + "HH", 0, 0))

    def isb(self, iface, ts_units):
        opts = self.option(4, struct.pack(self.e + "Q", 12)) + self.option(0, b"")  # isb_ifrecv
        self.block(5, struct.pack(self.e + "III", iface, ts_units >> 32, ts_units & 0xFFFFFFFF) + opts)

    def custom(self):
        self.block(0xBAD, struct.pack(self.e + "I", 32473) + b"plainsight test custom block")


# ---------------------------------------------------------------- conversations

C4, S4 = ip4("192.0.2.1"), ip4("198.51.100.7")
C6, S6 = ip6("2001:db8::1"), ip6("2001:db8::2")
T0 = 1_700_000_000_000_000  # 2023-11-14T22:13:20Z, in microseconds
REQUEST = b"GET /fixture HTTP/1.1\r\nHost: server.test\r\n\r\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello, world"
MSS_WS = bytes.fromhex("020405b4" "01" "030307")


def conversation(v6=False, cport=40000, sport=443, isn_c=1000, isn_s=5000):
    """The TCP segments (as IP packets) of a short connection: handshake, request, response, FIN both ways."""
    c, s = (C6, S6) if v6 else (C4, S4)

    def pkt(frm, to, fport, tport, seq, ack, flags, data=b"", opts=b""):
        seg = tcp(frm, to, fport, tport, seq, ack, flags, data, options=opts, pseudo_v6=v6)
        return ipv6(frm, to, 6, seg) if v6 else ipv4(frm, to, seg)

    cs, ss = isn_c, isn_s
    return [
        pkt(c, s, cport, sport, cs, 0, 0x002, opts=MSS_WS),
        pkt(s, c, sport, cport, ss, cs + 1, 0x012, opts=MSS_WS),
        pkt(c, s, cport, sport, cs + 1, ss + 1, 0x010),
        pkt(c, s, cport, sport, cs + 1, ss + 1, 0x018, REQUEST),
        pkt(s, c, sport, cport, ss + 1, cs + 1 + len(REQUEST), 0x018, RESPONSE),
        pkt(c, s, cport, sport, cs + 1 + len(REQUEST), ss + 1 + len(RESPONSE), 0x011),
        pkt(s, c, sport, cport, ss + 1 + len(RESPONSE), cs + 2 + len(REQUEST), 0x011),
        pkt(c, s, cport, sport, cs + 2 + len(REQUEST), ss + 2 + len(RESPONSE), 0x010),
    ]


def arp():
    return ether(bytes.fromhex("0001080006040001020000000001c0000201000000000000c6336407"), 0x0806)


def udp4():
    body = struct.pack("!HHHH", 5353, 53, 8 + 4, 0) + b"ping"
    return ipv4(C4, S4, body, proto=17)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(out):
    os.makedirs(out, exist_ok=True)
    v4 = conversation()
    v6 = conversation(v6=True, cport=40001)

    # Ethernet, microseconds, little-endian; with ARP, UDP, an 802.1Q tag, QinQ (802.1ad + 802.1Q) and an old 0x9100 pair
    p = Pcap(1)
    t = T0
    frames = [ether(x) for x in v4[:3]] + [arp(), ether(udp4())]
    frames += [ether(v4[3], tags=[(0x8100, 100)]), ether(v4[4], tags=[(0x88A8, 200), (0x8100, 100)]),
               ether(v4[5], tags=[(0x9100, 300), (0x9100, 301)])]
    frames += [ether(x) for x in v4[6:]]
    frames += [ether(x, 0x86DD) for x in v6]
    for f in frames:
        p.add(t, f)
        t += 1250
    write(os.path.join(out, "ethernet-vlan.pcap"), p.out)

    # the same conversation: nanosecond timestamps, big-endian (no tool writes it; written here)
    p = Pcap(1, big_endian=True, nanos=True)
    t = T0
    for i, f in enumerate(ether(x) for x in v4):
        p.add(t, f, ns_extra=i * 111)
        t += 1250
    write(os.path.join(out, "nanos-big-endian.pcap"), p.out)

    # Linux cooked v1 and v2
    for name, link, wrap in (("sll.pcap", 113, sll), ("sll2.pcap", 276, sll2)):
        p = Pcap(link)
        t = T0
        for x in v4:
            p.add(t, wrap(x))
            t += 1000
        for x in v6:
            p.add(t, wrap(x, 0x86DD))
            t += 1000
        p.add(t, wrap(udp4()))
        write(os.path.join(out, name), p.out)

    # BSD loopback: NULL (0) in the capturing host's order (little- then big-endian), LOOP (108) in network order;
    # AF_INET6 values of several systems: 30 macOS, 28 FreeBSD, 24 NetBSD/OpenBSD; 7 is not an IP family
    for name, link, e, inet6 in (("null-le.pcap", 0, "<", (30, 28)), ("null-be.pcap", 0, ">", (24, 30)),
                                 ("loop.pcap", 108, ">", (24, 24))):
        p = Pcap(link)
        t = T0
        for i, x in enumerate(v4):
            p.add(t, struct.pack(e + "I", 2) + x)
            t += 1000
        for i, x in enumerate(v6):
            p.add(t, struct.pack(e + "I", inet6[i % 2]) + x)
            t += 1000
        p.add(t, struct.pack(e + "I", 7) + b"\0" * 20)
        write(os.path.join(out, name), p.out)

    # raw IP: 101 (both versions), 228 (IPv4 only), 229 (IPv6 only)
    for name, link, pkts in (("raw.pcap", 101, v4 + v6), ("ipv4.pcap", 228, v4), ("ipv6.pcap", 229, v6)):
        p = Pcap(link)
        t = T0
        for x in pkts:
            p.add(t, x)
            t += 1000
        write(os.path.join(out, name), p.out)

    # snaplen 80: frames cut in the payload, in the TCP options, in the IP header (made by slicing, like editcap -s)
    p = Pcap(1, snaplen=80)
    t = T0
    for x in [ether(y) for y in v4] + [ether(y, 0x86DD) for y in v6]:
        p.add(t, x[:80], orig=len(x))
        t += 1000
    cut = ether(v6[0], 0x86DD)
    p.add(t, cut[:14 + 30], orig=len(cut))  # inside the IPv6 header
    write(os.path.join(out, "snaplen-80.pcap"), p.out)

    # IPv6 extension headers
    write(os.path.join(out, "ipv6-extension-headers.pcap"), ipv6_extensions())

    # IPv4 fragments
    write(os.path.join(out, "ipv4-fragments.pcap"), ipv4_fragments())

    # an unsupported link type (147, LINKTYPE_USER0) holding Ethernet frames
    p = Pcap(147)
    t = T0
    for x in v4[:3]:
        p.add(t, ether(x))
        t += 1000
    write(os.path.join(out, "linktype-147.pcap"), p.out)

    le, be = pcapng_interfaces(False), pcapng_interfaces(True)
    write(os.path.join(out, "interfaces-le.pcapng"), le)
    write(os.path.join(out, "interfaces-be.pcapng"), be)
    # two sections of different byte orders: interface numbers start again at 0 in the second
    write(os.path.join(out, "two-sections.pcapng"), le + be)


def ipv6_extensions():
    """A connection over IPv6 whose packets carry extension headers; one data segment in two fragments."""
    p = Pcap(1)
    t = T0
    c, s = C6, S6
    cp, sp = 40100, 443

    def seg(frm, to, fp, tp, seq, ack, flags, data=b""):
        return tcp(frm, to, fp, tp, seq, ack, flags, data, pseudo_v6=True)

    hbh = lambda nh: ext(nh, bytes([5, 2, 0, 0]))  # router alert
    dst = lambda nh: ext(nh, bytes([1, 2, 0, 0]))  # PadN
    routing = lambda nh: bytes([nh, 2, 0, 0]) + b"\0" * 4 + S6  # type 0, 1 address, segments left 0
    ah = lambda nh: bytes([nh, 4, 0, 0]) + struct.pack("!II", 0x1000, 1) + b"\xAA" * 12  # 24 bytes: (4+2)*4

    pk = []
    pk.append(ipv6(c, s, 0, hbh(6) + seg(c, s, cp, sp, 7000, 0, 0x002)))                       # hop-by-hop
    pk.append(ipv6(s, c, 60, dst(6) + seg(s, c, sp, cp, 9000, 7001, 0x012)))                   # destination options
    pk.append(ipv6(c, s, 0, hbh(43) + routing(60) + dst(6) + seg(c, s, cp, sp, 7001, 9001, 0x010)))  # all three
    pk.append(ipv6(c, s, 51, ah(6) + seg(c, s, cp, sp, 7001, 9001, 0x018, b"through AH\n")))  # authentication header
    # a 1200-byte segment fragmented: hop-by-hop (unfragmentable), fragment header, destination options + TCP (fragmentable)
    data = bytes((i * 7) & 0xFF for i in range(1200))
    fragmentable = dst(6) + seg(c, s, cp, sp, 7012, 9001, 0x018, data)
    first, second = fragmentable[:800], fragmentable[800:]
    frag = lambda off, more: struct.pack("!BBHI", 60, 0, off | more, 0xCAFE0001)
    pk.append(ipv6(c, s, 0, hbh(44) + frag(0, 1) + first))
    pk.append(ipv6(c, s, 0, hbh(44) + frag(800, 0) + second))
    # an atomic fragment (offset 0, M=0): the whole datagram
    pk.append(ipv6(s, c, 44, struct.pack("!BBHI", 6, 0, 0, 0xCAFE0002) + seg(s, c, sp, cp, 9001, 8212, 0x010)))
    # UDP behind a hop-by-hop header: skipped
    pk.append(ipv6(c, s, 0, hbh(17) + struct.pack("!HHHH", 5000, 53, 8, 0)))
    # no next header
    pk.append(ipv6(c, s, 59, b""))
    for x in pk:
        p.add(t, ether(x, 0x86DD))
        t += 1000
    return p.out


def ipv4_fragments():
    """TCP segments in IPv4 fragments: in order, out of order, overlapping (same bytes), one never completed, and UDP."""
    p = Pcap(1)
    t = T0
    c, s = C4, S4
    cp, sp = 40200, 443

    def frags(ident, segment, cuts):
        """Fragments of 'segment' cut at byte offsets 'cuts' (multiples of 8): list of (offset, more, bytes)."""
        bounds = [0] + list(cuts) + [len(segment)]
        return [(bounds[i], i < len(bounds) - 2, segment[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]

    def frame(ident, off, more, data, proto=6):
        return ether(ipv4(c, s, data, proto=proto, ident=ident, flags_frag=(0x2000 if more else 0) | (off // 8)))

    out = []
    out.append(ether(ipv4(c, s, tcp(c, s, cp, sp, 100, 0, 0x002))))
    body = bytes((i * 13) & 0xFF for i in range(3000))
    seg1 = tcp(c, s, cp, sp, 101, 1, 0x018, body[:1500])
    for off, more, d in frags(0x101, seg1, [512, 1024]):                     # in order
        out.append(frame(0x101, off, more, d))
    seg2 = tcp(c, s, cp, sp, 1601, 1, 0x018, body[1500:3000])
    f2 = frags(0x102, seg2, [504, 1008])
    for off, more, d in (f2[2], f2[0], f2[1]):                               # last first, then the others
        out.append(frame(0x102, off, more, d))
    seg3 = tcp(c, s, cp, sp, 3101, 1, 0x018, b"overlap" * 100)
    # overlapping: [0, 400) and [200, len) with the same bytes where they overlap
    out.append(frame(0x103, 0, True, seg3[:400]))
    out.append(frame(0x103, 200, False, seg3[200:]))
    # UDP fragments: skipped as not TCP
    udp = struct.pack("!HHHH", 5000, 53, 8 + 2000, 0) + b"u" * 2000
    out.append(frame(0x104, 0, True, udp[:1000], proto=17))
    out.append(frame(0x104, 1000, False, udp[1000:], proto=17))
    # a datagram whose second fragment never comes: dropped at the end
    seg5 = tcp(c, s, cp, sp, 3801, 1, 0x018, b"lost" * 300)
    out.append(frame(0x105, 0, True, seg5[:600]))
    out.append(ether(ipv4(c, s, tcp(c, s, cp, sp, 4001, 1, 0x011))))
    for x in out:
        p.add(t, x)
        t += 1000
    return p.out


def pcapng_interfaces(be):
    """Interfaces 0 Ethernet (nanoseconds), 1 raw IPv4 (2^-20 s, offset 1e9 s), 2 unsupported (147);
    EPBs, an obsolete PB, an SPB, NRB and ISB blocks, a custom block, two DSBs (one in the middle)."""
    g = Pcapng(big_endian=be)
    v4 = conversation(cport=40300)
    g.dsb(b"CLIENT_RANDOM 00 11\n")
    g.idb(1, 0, tsresol=9, name="eth0")
    g.idb(228, 65535, tsresol=0x94, tsoffset=1_000_000_000)
    g.idb(147, 0)
    g.nrb()
    ns = T0 * 1000
    units2 = lambda micros: ((micros - 1_000_000_000 * 1_000_000) << 20) // 1_000_000
    g.epb(0, ns + 1, ether(v4[0]))
    g.epb(1, units2(T0 + 1000), v4[1])
    g.epb(2, 0, ether(v4[2]))
    g.custom()
    g.block(0x40000BAD, struct.pack(g.e + "I", 32473) + b"not to be copied")
    g.block(9, b"__REALTIME_TIMESTAMP=1700000000002000\nMESSAGE=journal entry\n")
    g.block(0x0BADCAFE, b"unknown block type")
    g.epb(0, ns + 3_000_999, ether(v4[3]))
    g.dsb(b"CLIENT_RANDOM 22 33\n")
    g.pb(0, ns + 4_000_000, ether(v4[4]))
    g.isb(0, ns + 4_500_000)
    g.spb(ether(v4[5]))
    g.epb(1, units2(T0 + 6000) + 5, v4[6])
    g.epb(0, ns + 7_000_000, ether(v4[7]))
    g.isb(1, 0)
    return g.out


if __name__ == "__main__":
    main(sys.argv[1])
