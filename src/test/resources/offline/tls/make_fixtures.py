#!/usr/bin/env python3
"""Turn a capture into the TCP stream fixture that TlsCorpusTest feeds to TlsStreamDecryptor.

    make_fixtures.py CAPTURE OUT.segments.gz

For every TCP stream N of CAPTURE, the bytes of each direction come from tshark's own TCP
reassembly (`tshark -r CAPTURE -o tcp.reassemble_out_of_order:TRUE -q -z follow,tcp,raw,N`), so
out-of-order and retransmitted segments are handled by tshark, not by this script. The order in
which those bytes are delivered (capture order, across streams and directions) comes from
`tshark -T fields -e frame.number -e tcp.seq -e tcp.len ...`: byte i of a direction becomes
deliverable at the first frame at which bytes 0..i have all arrived. Consecutive bytes that become
deliverable at the same frame form one chunk; chunks are written sorted by (frame, stream).

Output (gzip, mtime 0 so reruns are byte-identical), a sequence of chunks, all big-endian:
    u32 frame number, u64 timestamp (microseconds since the epoch), u16 TCP stream,
    u8 direction (0 client->server, 1 server->client), u32 length, bytes
The client of a stream is the side that sent its first ClientHello (or, with no ClientHello, the
first payload byte). Needs tshark on PATH; run with WIRESHARK_CONFIG_DIR set to an empty
directory so that personal preferences cannot change the result.
"""
import gzip
import re
import struct
import subprocess
import sys


def tshark(args):
    p = subprocess.run(['tshark'] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return p.stdout.decode()


def main(cap, out):
    rows = tshark(['-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE', '-T', 'fields', '-E', 'occurrence=f',
                   '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'tcp.stream',
                   '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tcp.seq', '-e', 'tcp.len',
                   '-e', 'tls.handshake.type'])
    segs = {}    # (stream, endpoint) -> [(frame, ts, seq, len)]
    first_hello = {}
    first_data = {}
    for line in rows.splitlines():
        f = line.split('\t')
        if len(f) < 9 or f[2] == '':
            continue
        frame, ts, stream = int(f[0]), f[1], int(f[2])
        ep = '%s:%s' % (f[3] or f[4], f[5])
        seq, ln = int(f[6]), int(f[7])
        if ln == 0:
            continue
        sec, _, frac = ts.partition('.')
        micros = int(sec) * 1000000 + int((frac + '000000')[:6])
        segs.setdefault((stream, ep), []).append((frame, micros, seq, ln))
        first_data.setdefault(stream, ep)
        if '1' in f[8].split(',') and stream not in first_hello:
            first_hello[stream] = ep
    chunks = []
    for stream in sorted({s for s, _ in segs}):
        follow = tshark(['-r', cap, '-o', 'tcp.reassemble_out_of_order:TRUE', '-q', '-z',
                         'follow,tcp,raw,%d' % stream])
        node0 = re.search(r'^Node 0: (.*)$', follow, re.M).group(1)
        node1 = re.search(r'^Node 1: (.*)$', follow, re.M).group(1)
        data = {node0: bytearray(), node1: bytearray()}
        for line in follow.splitlines():
            m = re.fullmatch(r'(\t?)([0-9a-f]+)', line)
            if m:
                data[node1 if m.group(1) else node0] += bytes.fromhex(m.group(2))
        client = first_hello.get(stream, first_data[stream])
        for ep, d in data.items():
            if not d:
                continue
            direction = 0 if ep == client else 1
            ss = segs[(stream, ep)]
            base = min(s[2] for s in ss)
            end = max(s[2] + s[3] for s in ss)
            if end - base != len(d):
                sys.exit('%s stream %d %s: segments cover %d bytes, follow gives %d'
                         % (cap, stream, ep, end - base, len(d)))
            arrival = [None] * len(d)
            stamp = {}
            for frame, micros, seq, ln in ss:
                stamp[frame] = micros
                for i in range(seq - base, seq - base + ln):
                    if arrival[i] is None or frame < arrival[i]:
                        arrival[i] = frame
            start, ready = 0, arrival[0]
            for i in range(1, len(d) + 1):
                r = max(ready, arrival[i]) if i < len(d) else None
                if r != ready:
                    chunks.append((ready, stream, direction, stamp[ready], bytes(d[start:i])))
                    start, ready = i, r
    chunks.sort(key=lambda c: (c[0], c[1]))
    with open(out, 'wb') as f:
        with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0) as g:
            for frame, stream, direction, micros, b in chunks:
                g.write(struct.pack('>IQHBI', frame, micros, stream, direction, len(b)) + b)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
