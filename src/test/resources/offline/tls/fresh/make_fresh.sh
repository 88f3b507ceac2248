#!/bin/sh
# Records the fresh TLS captures of this folder on the loopback (needs root for tcpdump, and
# openssl, curl, tcpdump on PATH). Run from this folder: sh make_fresh.sh
# Every capture uses its own port; servers are `openssl s_server -www` (it answers GET / with a
# status page and closes), clients are curl (keys via SSLKEYLOGFILE) and openssl s_client
# (-keylogfile). Keys and certificates are made fresh each time, so every run differs: rerun
# make_fixtures.py and make_expected.py afterwards (see README.md).
set -eu
HERE=$(pwd)
W=$(mktemp -d)
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout server-rsa.key -out "$W/rsa.crt" -days 3650 -subj /CN=localhost 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/ec.key" -out "$W/ec.crt" -days 3650 \
    -subj /CN=localhost 2>/dev/null

serve() { # port, extra s_server options...
    port=$1; shift
    openssl s_server -quiet -www -accept 127.0.0.1:$port -cert "$W/rsa.crt" -key server-rsa.key \
        -dcert "$W/ec.crt" -dkey "$W/ec.key" "$@" </dev/null >/dev/null 2>&1 &
    echo $! > "$W/server$port.pid"
    sleep 0.5
}
record() { # name, port
    tcpdump -i lo -U -s 0 -w "$1.pcap" "tcp port $2" >/dev/null 2>&1 &
    echo $! > "$W/tcpdump$2.pid"
    sleep 1
}
stop() { # port
    sleep 1
    kill "$(cat "$W/tcpdump$1.pid")" "$(cat "$W/server$1.pid")"
    rm -f "$W/tcpdump$1.pid" "$W/server$1.pid"
    sleep 0.5
}
sclient() { # port, options... (sends GET /, waits for the answer)
    port=$1; shift
    printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect 127.0.0.1:$port -keylogfile "$W/sclient.keys" "$@" \
        >/dev/null 2>&1 || true
}

# 1. TLS 1.2, RSA key exchange, AES128-SHA (OpenSSL negotiates encrypt-then-MAC and the extended
#    master secret); curl's second request resumes the session by ticket on a new connection.
#    Ground truth from the RSA key alone.
rm -f curl-tls12-rsa.keys
serve 44331 -cipher AES128-SHA
record curl-tls12-rsa 44331
SSLKEYLOGFILE=$HERE/curl-tls12-rsa.keys curl -sk --tlsv1.2 --tls-max 1.2 --ciphers AES128-SHA \
    https://127.0.0.1:44331/ https://127.0.0.1:44331/ -o /dev/null -o /dev/null
stop 44331

# 2. TLS 1.2 ECDHE (curl's default suite, AES-GCM), resumed by ticket on the second connection.
rm -f curl-tls12-ecdhe.keys
serve 44332
record curl-tls12-ecdhe 44332
SSLKEYLOGFILE=$HERE/curl-tls12-ecdhe.keys curl -sk --tlsv1.2 --tls-max 1.2 \
    https://127.0.0.1:44332/ https://127.0.0.1:44332/ -o /dev/null -o /dev/null
stop 44332

# 3. TLS 1.3; the server only accepts P-384, so curl's x25519 key share gets a HelloRetryRequest;
#    the second connection resumes with a PSK.
rm -f curl-tls13.keys
serve 44333 -groups P-384
record curl-tls13 44333
SSLKEYLOGFILE=$HERE/curl-tls13.keys curl -sk --tlsv1.3 https://127.0.0.1:44333/ https://127.0.0.1:44333/ \
    -o /dev/null -o /dev/null
stop 44333

# 4. openssl s_client, one connection per suite: TLS 1.2 AES256-SHA256 (RSA key exchange, CBC with
#    HMAC-SHA256; a second connection resumes it by session ticket), ECDHE-RSA-AES256-SHA384 (CBC with HMAC-SHA384, SHA-384 PRF),
#    ECDHE-ECDSA-AES128-CCM8, ECDHE-RSA-CHACHA20-POLY1305, TLS 1.1 ECDHE-RSA-AES256-SHA (explicit
#    IV, MD5/SHA-1 PRF), TLS 1.0 AES128-SHA with encrypt-then-MAC
#    and the implicit IV, TLS 1.0 without encrypt-then-MAC, and TLS 1.3 TLS_AES_128_CCM_8_SHA256
#    and TLS_AES_256_GCM_SHA384 with a KeyUpdate from the client ("k" command of s_client).
rm -f "$W/sclient.keys"
serve 44334 -cipher 'ALL:@SECLEVEL=0' -ciphersuites 'TLS_AES_128_CCM_8_SHA256:TLS_AES_256_GCM_SHA384' -legacy_renegotiation
record sclient-suites 44334
sclient 44334 -tls1_2 -cipher AES256-SHA256 -sess_out "$W/session"
sclient 44334 -tls1_2 -cipher AES256-SHA256 -sess_in "$W/session"
sclient 44334 -tls1_2 -cipher ECDHE-RSA-AES256-SHA384
sclient 44334 -tls1_2 -cipher ECDHE-ECDSA-AES128-CCM8
sclient 44334 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
sclient 44334 -tls1_1 -cipher 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'
sclient 44334 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
sclient 44334 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0' -no_etm
sclient 44334 -tls1_3 -ciphersuites TLS_AES_128_CCM_8_SHA256
(printf 'k\n'; sleep 0.3; printf 'GET / HTTP/1.0\r\n\r\n') | openssl s_client -connect 127.0.0.1:44334 -tls1_3 \
    -ciphersuites TLS_AES_256_GCM_SHA384 -keylogfile "$W/sclient.keys" >/dev/null 2>&1 || true
stop 44334
cp "$W/sclient.keys" sclient-suites.keys

ls -l *.pcap *.keys server-rsa.key
