#!/usr/bin/env python3
"""Ground truth for a fresh capture, in the corpus's streams.tsv format, from tshark.

    make_expected.py CAPTURE OUT.streams.tsv [tshark decryption options...]

For each TCP stream with a ServerHello: client and server (from the first ClientHello), the
negotiated version and cipher suite(s), and per direction the number of decrypted
application_data records, their bytes and the SHA-256 of their concatenation, from
`tshark -q -z follow,tls,raw,N` (one hex line per record; a leading TAB marks "Node 1").
Run with WIRESHARK_CONFIG_DIR set to an empty directory.
"""
import hashlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def tshark(args):
    return subprocess.run(['tshark'] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          check=True).stdout.decode()


def main(cap, out, opts):
    pdml = tshark(['-r', cap] + opts + ['-Y', 'tls.handshake.type==1 || tls.handshake.type==2', '-T', 'pdml'])
    info = {}
    for pkt in ET.fromstring(pdml).findall('packet'):
        fields = {}
        for f in pkt.iter('field'):
            fields.setdefault(f.get('name'), []).append(f)
        s = int(fields['tcp.stream'][0].get('show'))
        src = (fields.get('ip.src') or fields.get('ipv6.src'))[0].get('show')
        dst = (fields.get('ip.dst') or fields.get('ipv6.dst'))[0].get('show')
        sport, dport = fields['tcp.srcport'][0].get('show'), fields['tcp.dstport'][0].get('show')
        types = [f.get('show') for f in fields.get('tls.handshake.type', [])]
        d = info.setdefault(s, {'client': None, 'server': None, 'version': [], 'cipher': []})
        if '1' in types and d['client'] is None:
            d['client'], d['server'] = '%s:%s' % (src, sport), '%s:%s' % (dst, dport)
        if '2' in types:
            sv = fields.get('tls.handshake.extensions.supported_version')
            ver = (sv or fields['tls.handshake.version'])[-1].get('showname').split(': ', 1)[1]
            suite = fields['tls.handshake.ciphersuite'][-1].get('showname').split(': ', 1)[1]
            if ver not in d['version']:
                d['version'].append(ver)
            if suite not in d['cipher']:
                d['cipher'].append(suite)
    with open(out, 'w') as f:
        f.write('# ' + tshark(['--version']).splitlines()[0] + '\n')
        f.write('# decryption options: ' + ' '.join(opts) + '\n')
        f.write('# c2s/s2c = concatenated plaintext of the decrypted application_data records '
                '(as reported by -z follow,tls,raw,N) in capture order\n')
        f.write('\t'.join(['tcp_stream', 'client', 'server', 'version', 'cipher_suite', 'c2s_records', 'c2s_bytes',
                           'c2s_sha256', 's2c_records', 's2c_bytes', 's2c_sha256']) + '\n')
        for s in sorted(info):
            d = info[s]
            if not d['version']:
                continue
            follow = tshark(['-r', cap] + opts + ['-q', '-z', 'follow,tls,raw,%d' % s])
            node0 = re.search(r'^Node 0: (.*)$', follow, re.M).group(1)
            recs = [(m.group(1) == '\t', bytes.fromhex(m.group(2)))
                    for m in re.finditer(r'^(\t?)([0-9a-f]+)$', follow, re.M)]
            node0_is_client = node0 == d['client']
            c2s = [b for tab, b in recs if tab != node0_is_client]
            s2c = [b for tab, b in recs if tab == node0_is_client]
            cb, sb = b''.join(c2s), b''.join(s2c)
            f.write('\t'.join(str(x) for x in [
                s, d['client'], d['server'], ' / '.join(d['version']),
                ' / '.join(d['cipher']), len(c2s), len(cb), hashlib.sha256(cb).hexdigest(),
                len(s2c), len(sb), hashlib.sha256(sb).hexdigest()]) + '\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
