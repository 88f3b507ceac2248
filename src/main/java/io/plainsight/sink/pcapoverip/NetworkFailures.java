package io.plainsight.sink.pcapoverip;

import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Turns a socket failure into a short cause a person can act on. */
final class NetworkFailures {
    private NetworkFailures() {}

    static String cause(Throwable e) {
        if (e == null) {
            return "failed";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof ClosedChannelException) {
            return "connection closed";
        }
        String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("address already in use")) {
            return "address already in use";
        }
        if (lower.contains("cannot assign requested address")) {
            return "not an address of this machine";
        }
        if (lower.contains("connection refused")) {
            return "connection refused";
        }
        if (lower.contains("connection reset")) {
            return "connection reset by peer";
        }
        if (lower.contains("permission denied")) {
            return "permission denied";
        }
        if (lower.contains("connection timed out")) {
            return "connection timed out";
        }
        if (lower.contains("no route to host")) {
            return "no route to host";
        }
        return m;
    }
}
