package io.plainsight.cli;

import io.plainsight.proxy.HostPort;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The PCAP-over-IP options checked and turned into settings; a bad value names its option. */
final class PcapOverIpAddresses {
    private PcapOverIpAddresses() {}

    /** The default of --pcap-over-ip-buffer, as written in its option. */
    static final String DEFAULT_BUFFER = "8MiB";

    /**
     * The settings of {@code --pcap-over-ip}, {@code --pcap-over-ip-connect},
     * {@code --pcap-over-ip-lossless} and {@code --pcap-over-ip-buffer}, or null when PCAP-over-IP
     * is off.
     *
     * @throws IllegalArgumentException naming the option, the value and the problem
     */
    static PcapOverIpSettings settings(String listen, List<String> connect, boolean lossless, String buffer) {
        List<String> targets = connect == null ? List.of() : connect;
        if (listen == null && targets.isEmpty()) {
            if (lossless) {
                throw new IllegalArgumentException("--pcap-over-ip-lossless needs --pcap-over-ip or --pcap-over-ip-connect");
            }
            if (buffer != null && !buffer.equals(DEFAULT_BUFFER)) {
                throw new IllegalArgumentException("--pcap-over-ip-buffer needs --pcap-over-ip or --pcap-over-ip-connect");
            }
            return null;
        }
        InetSocketAddress at = null;
        if (listen != null) {
            HostPort hp = HostPort.parseListen("--pcap-over-ip", listen);
            at = new InetSocketAddress(resolve("--pcap-over-ip", listen, hp.host()), hp.port());
        }
        List<InetSocketAddress> to = new ArrayList<>();
        for (String t : targets) {
            HostPort hp = HostPort.parse("--pcap-over-ip-connect", t);
            if (hp.port() == 0) {
                throw new IllegalArgumentException("--pcap-over-ip-connect '" + t + "': port 0 is out of range 1-65535");
            }
            resolve("--pcap-over-ip-connect", t, hp.host()); // a typo stops start-up; resolved again at every attempt
            to.add(InetSocketAddress.createUnresolved(hp.host(), hp.port()));
        }
        long bytes = SizeOption.parse("--pcap-over-ip-buffer", buffer);
        if (bytes < MIN_BUFFER || bytes > MAX_BUFFER) {
            throw new IllegalArgumentException("--pcap-over-ip-buffer '" + buffer + "': expected 256KiB to 1GiB");
        }
        return PcapOverIpSettings.of(at, to, lossless).withBufferBytes(bytes);
    }

    static final long MIN_BUFFER = 256 << 10;
    static final long MAX_BUFFER = 1L << 30;

    private static InetAddress resolve(String option, String text, String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + " '" + text + "': unknown host '" + host + "'", e);
        }
    }
}
