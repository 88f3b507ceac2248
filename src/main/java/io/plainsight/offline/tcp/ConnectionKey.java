package io.plainsight.offline.tcp;

import java.net.InetAddress;

/**
 * The addresses and ports of a connection, equal for both directions: (a, portA, b, portB)
 * equals (b, portB, a, portA). The reassembler looks up with one mutable probe (no allocation
 * per packet) and stores {@link #copy()}s.
 */
final class ConnectionKey {
    private InetAddress a;
    private int portA;
    private InetAddress b;
    private int portB;
    private int hash;

    ConnectionKey set(InetAddress src, int srcPort, InetAddress dst, int dstPort) {
        this.a = src;
        this.portA = srcPort;
        this.b = dst;
        this.portB = dstPort;
        // symmetric: the sum of the two endpoints' hashes, then mixed (murmur3's finalizer)
        int h = (src.hashCode() * 31 + srcPort) + (dst.hashCode() * 31 + dstPort);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        this.hash = h;
        return this;
    }

    ConnectionKey copy() {
        return new ConnectionKey().set(a, portA, b, portB);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionKey k) || k.hash != hash) {
            return false;
        }
        return portA == k.portA && portB == k.portB && a.equals(k.a) && b.equals(k.b)
                || portA == k.portB && portB == k.portA && a.equals(k.b) && b.equals(k.a);
    }

    @Override
    public String toString() {
        return a.getHostAddress() + ":" + portA + " <-> " + b.getHostAddress() + ":" + portB;
    }
}
