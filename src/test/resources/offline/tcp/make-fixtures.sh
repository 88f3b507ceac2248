#!/bin/sh
# Records the fixtures of the TCP reassembly tests with tshark (see README.md). Run from this
# directory: sh make-fixtures.sh [captures dir]. Needs tshark, editcap, gzip, python3.
set -eu
CAPTURES=${1:-/work/shared/testdata/wireshark-tls/captures}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

FIELDS="-e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst
 -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.stream -e tcp.payload"

# NAME.segments.tsv.gz: one line per TCP packet, tab-separated, the fields above in that order
segments() { # capture name
    tshark -r "$1" -Y 'tcp && !icmp' -T fields -E separator=/t $FIELDS | gzip -9n > "$2.segments.tsv.gz"
}

# tshark's own reassembly of every stream, raw: hex lines, the second node's indented by a tab
follow() { # capture
    n=$(tshark -r "$1" -Y tcp -T fields -e tcp.stream | sort -n | tail -1)
    args=""
    for i in $(seq 0 "$n"); do args="$args -z follow,tcp,raw,$i"; done
    tshark -r "$1" -o tcp.reassemble_out_of_order:TRUE -q $args
}

zcat "$CAPTURES/challenge01_ooo_stream.pcapng.gz" > "$TMP/challenge01.pcapng"
cp "$CAPTURES/http2_follow_multistream.pcapng" "$TMP/http2.pcapng"

# the two captures: segments, and follow shrunk to lengths and SHA-256 per line (follow-digest.py)
for c in challenge01 http2; do
    segments "$TMP/$c.pcapng" "$c"
    follow "$TMP/$c.pcapng" | python3 follow-digest.py > "$c.follow-digest"
done

# packet loss in the capture: two of the segments that fill challenge01's hole removed, a gap that
# never fills. The test feeds challenge01's segments without frames 93 and 110.
editcap "$TMP/challenge01.pcapng" "$TMP/challenge01-lost.pcapng" 93 110
follow "$TMP/challenge01-lost.pcapng" | python3 follow-digest.py > challenge01-lost.follow-digest

# started mid-connection: the first 12 packets (handshake, ClientHello, the start of the server's
# reply) cut off. The test feeds http2's segments from frame 13 on.
editcap -r "$TMP/http2.pcapng" "$TMP/http2-midstream.pcapng" 13-197
follow "$TMP/http2-midstream.pcapng" | python3 follow-digest.py > http2-midstream.follow-digest

# synthetic scenarios (port reuse, wrap, RST, keep-alive, ...) written by synthetic.py; follow kept raw
python3 synthetic.py "$TMP/synthetic.pcap"
segments "$TMP/synthetic.pcap" synthetic
follow "$TMP/synthetic.pcap" > synthetic.follow
