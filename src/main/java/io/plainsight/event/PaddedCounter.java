package io.plainsight.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A long counter alone on its cache line(s): the padding before and after it (superclasses and
 * subclass, whose fields the JVM lays out in that order) keeps the fields of other objects, and the
 * writes of other threads to them, off the line the counter's writers modify.
 */
final class PaddedCounter extends PaddedCounterValue {
    long p10, p11, p12, p13, p14, p15, p16, p17;

    /** The value, read with volatile semantics. */
    long get() {
        return value;
    }

    /** Adds {@code delta} atomically; returns the new value. */
    long addAndGet(long delta) {
        return (long) VALUE.getAndAdd(this, delta) + delta;
    }

    /** Sets the value from its single writer (no read-modify-write): a release store. */
    void setFromOwner(long v) {
        VALUE.setRelease(this, v);
    }
}

/** The padding before the value. */
abstract class PaddedCounterPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The value between the paddings. */
abstract class PaddedCounterValue extends PaddedCounterPad {
    static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile long value;
}
