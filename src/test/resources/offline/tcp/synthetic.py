#!/usr/bin/env python3
"""Writes synthetic.pcap: TCP scenarios for the reassembly tests, for tshark to judge too.

Usage: python3 synthetic.py OUT.pcap (make-fixtures.sh calls it). Ethernet, IPv4/IPv6, TCP with
correct checksums; packets 1 ms apart. The scenarios, in the order of their first packets (which
is their tcp.stream number, except where a scenario makes two):
  0  ordinary: handshake, a request, a response in 3 segments (one reordered, one retransmitted), FIN both ways, last ACK
  1,2 port reuse after FIN: the same ports again with a new SYN
  3,4 port reuse while open: a SYN with another ISN, no FIN before it
  5  sequence wrap-around: ISN 0xffffff00, 1000 bytes each way crossing 2^32, some reordered
  6  mid-stream: no SYN (ports 443 and 51000), both ways, no FIN (interleaved with 7)
  7  RST from the server after some data
  8  keep-alives (0 and 1 byte at seq-1) and zero-window probes (the next byte) between data
  9  retransmission with different bytes, in order and out of order
  10 overlaps on both edges (same bytes) and a segment covering several held ones
  11 IPv6, handshake and data
  12 a retransmitted SYN (same ISN): still one connection
  13 a segment lost in the capture, acknowledged by the receiver, then more data
"""
import struct
import sys

packets = []  # (src, sport, dst, dport, seq, ack, flags, payload)

FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def conn(c, cp, s, sp):
    def C(seq, ack, flags, data=b""):
        packets.append((c, cp, s, sp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, flags, data))

    def S(seq, ack, flags, data=b""):
        packets.append((s, sp, c, cp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, flags, data))
    return C, S


def text(n, seed):
    return bytes((seed + i * 7) % 26 + 97 for i in range(n))


# 0 ordinary
C, S = conn("10.0.0.1", 40001, "10.0.0.2", 80)
C(1000, 0, SYN); S(5000, 1001, SYN | ACK); C(1001, 5001, ACK)
req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
C(1001, 5001, PSH | ACK, req)
resp = b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n" + text(30, 1)
a, b = 5001, 5001 + 20
S(b, 1001 + len(req), ACK, resp[20:45])          # ahead of the first part
S(a, 1001 + len(req), ACK, resp[:20])
S(b, 1001 + len(req), ACK, resp[20:45])          # retransmitted
S(5001 + 45, 1001 + len(req), PSH | ACK, resp[45:])
end_s = 5001 + len(resp)
C(1001 + len(req), end_s, FIN | ACK); S(end_s, 1002 + len(req), FIN | ACK); C(1002 + len(req), end_s + 1, ACK)

# 1, 2 port reuse after FIN
C, S = conn("10.0.0.1", 40002, "10.0.0.2", 80)
for isn_c, isn_s, word in ((2000, 6000, b"first"), (900000, 700000, b"second")):
    C(isn_c, 0, SYN); S(isn_s, isn_c + 1, SYN | ACK); C(isn_c + 1, isn_s + 1, ACK)
    C(isn_c + 1, isn_s + 1, PSH | ACK, word)
    S(isn_s + 1, isn_c + 1 + len(word), PSH | ACK, word.upper())
    n = len(word)
    C(isn_c + 1 + n, isn_s + 1 + n, FIN | ACK); S(isn_s + 1 + n, isn_c + 2 + n, FIN | ACK)
    C(isn_c + 2 + n, isn_s + 2 + n, ACK)

# 3, 4 port reuse while open
C, S = conn("10.0.0.1", 40003, "10.0.0.2", 80)
C(3000, 0, SYN); S(7000, 3001, SYN | ACK); C(3001, 7001, ACK)
C(3001, 7001, PSH | ACK, b"abandoned")
C(123456, 0, SYN); S(654321, 123457, SYN | ACK); C(123457, 654322, ACK)
C(123457, 654322, PSH | ACK, b"again"); S(654322, 123462, PSH | ACK, b"AGAIN")

# 5 wrap-around
C, S = conn("10.0.0.1", 40005, "10.0.0.2", 8080)
ic, is_ = 0xFFFFFF00, 0xFFFFFE80
C(ic, 0, SYN); S(is_, ic + 1, SYN | ACK); C(ic + 1, is_ + 1, ACK)
up, down = text(1000, 3), text(1000, 5)
order = [0, 2, 1, 3, 5, 4, 6, 7, 9, 8]
for k in order:
    C(ic + 1 + k * 100, is_ + 1, ACK, up[k * 100:(k + 1) * 100])
for k in order[::-1]:
    S(is_ + 1 + k * 100, ic + 1 + 1000, ACK, down[k * 100:(k + 1) * 100])

# 6 mid-stream (interleaved with 7: first packets 6 then 7)
six = []
C6, S6 = conn("192.168.1.10", 51000, "192.168.1.20", 443)
start = len(packets)
S6(88000, 44000, PSH | ACK, b"tail of a response")
C6(44000, 88018, PSH | ACK, b"next request")
S6(88018, 44012, PSH | ACK, b"its response")
six = packets[start:]
del packets[start:]

# 7 RST
C7, S7 = conn("10.0.0.1", 40007, "10.0.0.2", 80)
start = len(packets)
C7(4000, 0, SYN); S7(8000, 4001, SYN | ACK); C7(4001, 8001, ACK)
C7(4001, 8001, PSH | ACK, b"hello")
S7(8001, 4006, RST | ACK)
C7(4006, 8001, PSH | ACK, b"after the reset")
seven = packets[start:]
del packets[start:]
for i in range(max(len(six), len(seven))):
    if i < len(six):
        packets.append(six[i])
    if i < len(seven):
        packets.append(seven[i])

# 8 keep-alives and zero-window probes
C, S = conn("10.0.0.1", 40008, "10.0.0.2", 80)
C(1, 0, SYN); S(100, 2, SYN | ACK); C(2, 101, ACK)
C(2, 101, PSH | ACK, b"abc")
S(101, 5, ACK)
C(4, 101, ACK)                 # Linux keep-alive
C(4, 101, ACK, b"\x00")        # BSD keep-alive
C(5, 101, ACK, b"d")           # zero-window probe
S(101, 5, ACK)
C(5, 101, ACK, b"d")           # probe again
C(5, 101, PSH | ACK, b"defgh")
S(101, 10, PSH | ACK, b"ok")

# 9 retransmission with different bytes
C, S = conn("10.0.0.1", 40009, "10.0.0.2", 80)
C(10, 0, SYN); S(20, 11, SYN | ACK); C(11, 21, ACK)
C(11, 21, PSH | ACK, b"original")
C(11, 21, PSH | ACK, b"REPLACED and more")     # in order: first copy wins, then " and more"
C(35, 21, PSH | ACK, b"later")                 # ahead: held
C(28, 21, PSH | ACK, b"-XXXXXXXXXX-")         # covers the hole and the held bytes with other bytes
S(21, 40, PSH | ACK, b"fine")

# 10 overlaps
C, S = conn("10.0.0.1", 40010, "10.0.0.2", 80)
C(100, 0, SYN); S(200, 101, SYN | ACK); C(101, 201, ACK)
s = text(40, 9)
for lo, hi in ((10, 15), (20, 25), (13, 22), (30, 40), (0, 12), (24, 31)):
    C(101 + lo, 201, ACK, s[lo:hi])
S(201, 141, ACK)

# 11 IPv6
C, S = conn("2001:db8::1", 40011, "2001:db8::2", 443)
C(500, 0, SYN); S(600, 501, SYN | ACK); C(501, 601, ACK)
C(501, 601, PSH | ACK, b"over six"); S(601, 509, PSH | ACK, b"ok six")

# 12 retransmitted SYN
C, S = conn("10.0.0.1", 40012, "10.0.0.2", 80)
C(7000, 0, SYN); C(7000, 0, SYN); S(9000, 7001, SYN | ACK); C(7001, 9001, ACK)
C(7001, 9001, PSH | ACK, b"once")

# 13 a segment lost in the capture, acknowledged
C, S = conn("10.0.0.1", 40013, "10.0.0.2", 80)
C(100, 0, SYN); S(300, 101, SYN | ACK); C(101, 301, ACK)
C(101, 301, ACK, b"0123456789")
# 111..121 "ABCDEFGHIJ" was sent but not captured
C(121, 301, ACK, b"KLMNOPQRST")
S(301, 131, ACK)
C(131, 301, PSH | ACK, b"UVWXYZ")
S(301, 137, PSH | ACK, b"thanks")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_bytes(a):
    import ipaddress
    return ipaddress.ip_address(a).packed


def frame(src, sport, dst, dport, seq, ack, flags, data):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    s, d = ip_bytes(src), ip_bytes(dst)
    if len(s) == 4:
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        ethertype = 0x0800
    else:
        pseudo = s + d + struct.pack("!I3xB", len(tcp), 6)
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, s, d)
        ethertype = 0x86DD
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype)
    return eth + ip + tcp


with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t = 1_700_000_000_000_000
    for p in packets:
        f = frame(*p)
        t += 1000
        out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(f), len(f)))
        out.write(f)
