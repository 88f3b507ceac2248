package io.plainsight.sink.pcapng;

/**
 * Which NSS key log lines of one leg's TLS handshake have arrived, to tell when its encrypted
 * packets can follow their Decryption Secrets Block: {@code CLIENT_RANDOM} (TLS 1.2 and older) or
 * both {@code CLIENT_TRAFFIC_SECRET_0} and {@code SERVER_TRAFFIC_SECRET_0} (TLS 1.3) decrypt the
 * rest of the connection.
 */
final class HandshakeKeys {
    private boolean any;
    private boolean clientRandom;
    private boolean clientTraffic;
    private boolean serverTraffic;

    /** Notes the labels of {@code keyLogLines} (lines "LABEL CLIENT_RANDOM_HEX SECRET_HEX"). */
    void add(String keyLogLines) {
        for (String line : keyLogLines.split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0) {
                continue;
            }
            any = true;
            switch (line.substring(0, space)) {
                case "CLIENT_RANDOM" -> clientRandom = true;
                case "CLIENT_TRAFFIC_SECRET_0" -> clientTraffic = true;
                case "SERVER_TRAFFIC_SECRET_0" -> serverTraffic = true;
                default -> { }
            }
        }
    }

    /** Whether any key line arrived. */
    boolean any() {
        return any;
    }

    /** Whether the lines so far decrypt both directions of the connection. */
    boolean complete() {
        return clientRandom || clientTraffic && serverTraffic;
    }
}
