#!/bin/sh
# Regenerates the synthetic fixtures, the ones made by Wireshark's tools from them, and every
# *.tshark.tsv. Run from this directory with tshark and editcap on PATH (see README.md).
# The two real captures (sll2-tcpdump.pcap, multi-if-dumpcap.pcapng) are not regenerated.
set -eu
python3 make_fixtures.py fixtures
editcap -F nsecpcap fixtures/ethernet-vlan.pcap fixtures/nanos-editcap.pcap
editcap -F pcapng --inject-secrets tls,dsb-keys.txt fixtures/raw.pcap fixtures/raw-dsb-editcap.pcapng
gzip -9 -n -c fixtures/ipv6-extension-headers.pcap > fixtures/ipv6-extension-headers.pcap.gz
for f in fixtures/*; do
    python3 tshark_truth.py "$f" > "truth/$(basename "$f" .gz).tshark.tsv"
done
for f in /work/shared/testdata/wireshark-tls/captures/*; do
    python3 tshark_truth.py "$f" > "wireshark-tls/$(basename "$f" .gz).tshark.tsv"
done
