#!/usr/bin/env python3
"""Records the bytes of one TCP connection as a transcript for the HTTP/1 decoder tests.

  record.py relay LISTEN_PORT UPSTREAM_PORT OUT   relays one connection from a client (curl) to
                                                  127.0.0.1:UPSTREAM_PORT and records it
  record.py raw UPSTREAM_PORT OUT STEP...          connects and sends each STEP (Python string
                                                  escapes: \\r \\n \\xNN), reading replies for
                                                  0.5 s after each; then half-closes and reads
                                                  until the server closes (or 2 s)

Transcript format: '#' comment lines, then records, each a line '> N' (client to server) or
'< N' (server to client), exactly N raw bytes as read by one recv(), and a newline. Records are
in the order the relay read them.
"""
import select
import socket
import sys
import time


def write(out, records, comment):
    with open(out, "wb") as f:
        f.write(("# " + comment + "\n").encode())
        for direction, data in records:
            f.write(("%s %d\n" % (direction, len(data))).encode())
            f.write(data)
            f.write(b"\n")


def relay(listen_port, upstream_port, out):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(1)
    client, _ = ls.accept()
    server = socket.create_connection(("127.0.0.1", upstream_port))
    records = []
    open_ = {client: True, server: True}
    peer = {client: server, server: client}
    tag = {client: ">", server: "<"}
    while any(open_.values()):
        readable, _, _ = select.select([s for s, o in open_.items() if o], [], [], 10)
        if not readable:
            break
        for s in readable:
            data = s.recv(65536)
            if not data:
                open_[s] = False
                try:
                    peer[s].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            records.append((tag[s], data))
            peer[s].sendall(data)
    write(out, records, "relay 127.0.0.1:%d -> 127.0.0.1:%d" % (listen_port, upstream_port))


def raw(upstream_port, out, steps):
    s = socket.create_connection(("127.0.0.1", upstream_port))
    records = []

    def read_for(seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            r, _, _ = select.select([s], [], [], max(0, deadline - time.time()))
            if not r:
                return True
            data = s.recv(65536)
            if not data:
                return False
            records.append(("<", data))
        return True

    alive = True
    for step in steps:
        data = step.encode("latin-1").decode("unicode_escape").encode("latin-1")
        s.sendall(data)
        records.append((">", data))
        alive = read_for(0.5)
        if not alive:
            break
    if alive:
        s.shutdown(socket.SHUT_WR)
        read_for(2)
    write(out, records, "raw client -> 127.0.0.1:%d" % upstream_port)


if __name__ == "__main__":
    if sys.argv[1] == "relay":
        relay(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        raw(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
