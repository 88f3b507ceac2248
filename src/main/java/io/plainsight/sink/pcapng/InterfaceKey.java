package io.plainsight.sink.pcapng;

import io.plainsight.sink.pcap.PcapFormat;

/**
 * One interface of the PCAPNG output: a mode and listener (as the interface's name shows them) and
 * what its packets are. The decrypted streams of every connection accepted on one listener share
 * an interface; with the encrypted packets, so do their client legs, and their upstream legs.
 *
 * @param mode the mode's label ("reverse", "proxy", "offline", ...)
 * @param listener the listener as text ("127.0.0.1:8443"), or null (offline; or past the number of
 *     listeners a mode gets interfaces of its own for); for {@link Kind#ORIGINAL}, the whole
 *     {@code if_name}
 * @param linkType the interface's link type: Ethernet but for {@link Kind#ORIGINAL}
 */
record InterfaceKey(String mode, String listener, Kind kind, int linkType) {
    InterfaceKey(String mode, String listener, Kind kind) {
        this(mode, listener, kind, PcapFormat.LINKTYPE_ETHERNET);
    }

    /** An interface of a decrypted capture, its packets written as read: "original: in.pcapng#0". */
    static InterfaceKey original(String name, int linkType) {
        return new InterfaceKey("offline", name, Kind.ORIGINAL, linkType);
    }

    /** What an interface's packets are. */
    enum Kind {
        /** The decrypted streams, synthesized as in the PCAP output. */
        DECRYPTED("decrypted", "decrypted streams (synthesized TCP, as in the PCAP output)"),
        /** Client to plainsight, as on the wire. */
        CLIENT_LEG("client leg", "client leg as on the wire (encrypted; keys in Decryption Secrets Blocks)"),
        /** plainsight to the server, as on the wire. */
        UPSTREAM_LEG("upstream leg", "upstream leg as on the wire (encrypted; keys in Decryption Secrets Blocks)"),
        /** An input interface of {@code plainsight decrypt}, its packets as read. */
        ORIGINAL("original", "packets of the decrypted capture as read (keys in Decryption Secrets Blocks)");

        final String label;
        final String description;

        Kind(String label, String description) {
            this.label = label;
            this.description = description;
        }
    }

    /** {@code if_name}, e.g. "plainsight reverse 127.0.0.1:8443 client leg". */
    String name() {
        if (kind == Kind.ORIGINAL) {
            return listener;
        }
        String where = listener != null ? " " + listener : "offline".equals(mode) ? "" : " (other listeners)";
        return "plainsight " + mode + where + " " + kind.label;
    }

    /** {@code if_description}. */
    String description() {
        return kind.description;
    }
}
