package io.plainsight.event;

/** One of the two TCP connections plainsight holds for a proxied conversation. */
public enum Leg {
    /** Between the client and plainsight. */
    CLIENT,
    /** Between plainsight and the server (backend, upstream). */
    UPSTREAM
}
