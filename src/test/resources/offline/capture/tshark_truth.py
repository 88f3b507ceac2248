#!/usr/bin/env python3
"""Writes tshark's view of a capture's TCP segments, the ground truth of CaptureReaderTruthTest.

usage: tshark_truth.py CAPTURE > NAME.tshark.tsv

One line per frame that tshark dissects as TCP (not inside ICMP errors), after IP defragmentation:
frame, src, srcport, dst, dstport, seq_raw, ack_raw, flags, window, payload bytes captured,
first 16 hex digits of the payload's SHA-256, timestamp in microseconds. Comment lines: the tshark
version, the total number of frames.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "frame.time_epoch", "tcp.payload"]


def tshark(args):
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=tempfile.mkdtemp())
    return subprocess.run(["tshark", "-n"] + args, env=env, check=True, capture_output=True, text=True).stdout


def outer(value):
    # fields of nested headers (IP in ICMP) come comma-separated; the outer one is first
    return value.split(",")[0]


def micros(epoch):
    if not epoch:
        return "-"  # no timestamp (a pcapng simple packet block)
    seconds, _, fraction = epoch.partition(".")
    return int(seconds) * 1_000_000 + int((fraction + "000000")[:6])


def main(capture):
    version = tshark(["--version"]).splitlines()[0]
    frames = len(tshark(["-r", capture, "-T", "fields", "-e", "frame.number"]).splitlines())
    print("# " + version)
    print("# frames\t%d" % frames)
    args = ["-r", capture, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields", "-E", "separator=/t"]
    for f in FIELDS:
        args += ["-e", f]
    for line in tshark(args).splitlines():
        c = line.split("\t")
        frame, ip4s, ip6s, sport, ip4d, ip6d, dport, seq, ack, flags, window, epoch, payload = c
        data = bytes.fromhex(payload.replace(":", ""))
        print("\t".join([frame, outer(ip4s or ip6s), outer(sport), outer(ip4d or ip6d), outer(dport), outer(seq), outer(ack),
                         str(int(outer(flags), 16)), outer(window), str(len(data)),
                         hashlib.sha256(data).hexdigest()[:16], str(micros(epoch))]))


if __name__ == "__main__":
    main(sys.argv[1])
