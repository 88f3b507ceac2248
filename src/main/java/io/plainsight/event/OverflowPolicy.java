package io.plainsight.event;

/** What the capture bus does when a sink falls behind and its queue is full. */
public enum OverflowPolicy {
    /** Slow the traffic down until the sink catches up: nothing is lost (the default). */
    BLOCK,
    /** Drop the event for that sink and count it: the traffic never waits. */
    DROP
}
