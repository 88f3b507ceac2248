package io.plainsight.sink.pcap;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FrameFollower}s of a sink that synthesizes frames (the PCAP sinks, the PCAPNG sink's
 * decrypted streams): each frame goes to the sink's own output, then a copy to every follower.
 * The sink flushes and closes them through this, on its thread; a follower that throws is said
 * once and the others are still flushed and closed, and the frames a follower failed on count as
 * the sink's write failures (with the follower's own).
 */
public final class FrameFollowers {
    private static final Logger log = LoggerFactory.getLogger(FrameFollowers.class);

    private final List<FrameFollower> followers = new ArrayList<>();
    private final List<FrameTee> tees = new ArrayList<>();
    private FrameOutput frames;
    private boolean failureLogged;

    /** @param own the sink's own output, which gets each frame first */
    public FrameFollowers(FrameOutput own) {
        this.frames = own;
    }

    /** Adds a follower: it gets every frame from now on. Before the sink is given to a bus. */
    public void add(FrameFollower follower, String name) {
        FrameTee tee = new FrameTee(frames, follower.frames(), name);
        tees.add(tee);
        followers.add(follower);
        frames = tee;
    }

    /** Where the sink writes its frames: its own output, or the chain of copies to the followers. */
    public FrameOutput frames() {
        return frames;
    }

    /** The followers, in the order they were added. */
    public List<FrameFollower> list() {
        return List.copyOf(followers);
    }

    /** Flushes every follower (after the sink's own output). */
    public void flush() {
        for (FrameFollower f : followers) {
            try {
                f.flush();
            } catch (RuntimeException e) {
                failed("flushing", e);
            }
        }
    }

    /** Closes every follower (after the sink's own output), each whatever the others did. */
    public void close() {
        for (FrameFollower f : followers) {
            try {
                f.close();
            } catch (RuntimeException e) {
                failed("closing", e);
            }
        }
    }

    /** Packets the followers could not write, and frames they failed on. */
    public long writeFailures() {
        long n = 0;
        for (FrameFollower f : followers) {
            n += f.writeFailures();
        }
        for (FrameTee t : tees) {
            n += t.failedFrames();
        }
        return n;
    }

    private void failed(String what, RuntimeException e) {
        if (!failureLogged) {
            failureLogged = true;
            log.error("an output that copies packets failed {}: {}", what, e.toString());
        } else {
            log.debug("an output that copies packets failed {}: {}", what, e.toString());
        }
    }
}
