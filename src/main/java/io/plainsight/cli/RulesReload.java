package io.plainsight.cli;

import io.plainsight.policy.LiveRules;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the --rules files (sun.misc.Signal, in the jdk.unsupported module of every JDK
 * 21+; where the signal cannot be handled, e.g. on Windows, or was ignored when the JVM started, as
 * under nohup, a warning says so and the rules stay as loaded). A file that fails to load on reload
 * keeps the old rules and logs the error.
 */
final class RulesReload {
    private static final Logger log = LoggerFactory.getLogger("plainsight");
    private static final List<LiveRules> RULES = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private RulesReload() {}

    static synchronized void onHangup(LiveRules rules) {
        RULES.add(rules);
        if (installed) {
            return;
        }
        installed = true;
        try {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> reloadAll());
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // the JVM leaves a hangup that was ignored when it started ignored (nohup does that)
                log.warn("SIGHUP was ignored when plainsight started (under nohup?): the rules are not reloaded on a hangup; "
                        + "start it without nohup (setsid, a service manager) to reload them with kill -HUP");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.warn("SIGHUP cannot be handled here ({}): the rules are not reloaded on a hangup", e.toString());
        }
    }

    /** Reloads every registered rules file (what SIGHUP does). */
    static void reloadAll() {
        for (LiveRules r : RULES) {
            log.info("SIGHUP: reloading the rules from {}", r.file());
            r.reload();
        }
    }
}
