#!/usr/bin/env python3
"""Shrinks tshark's `-z follow,tcp,raw` output: every hex data line becomes `#LENGTH SHA256` (its
decoded bytes' length and SHA-256), keeping the line's leading tab (the second node's side);
every other line is kept. stdin to stdout. The tests hash their own streams at the same places."""
import hashlib
import re
import sys

HEX = re.compile(r"^(\t?)([0-9a-f]+)$")
for line in sys.stdin:
    line = line.rstrip("\n")
    m = HEX.match(line)
    if m and len(m.group(2)) % 2 == 0 and not line.startswith("Node"):
        data = bytes.fromhex(m.group(2))
        print("%s#%d %s" % (m.group(1), len(data), hashlib.sha256(data).hexdigest()))
    else:
        print(line)
