package io.plainsight.policy;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force ({@code --rules FILE}) and the sticky clients they created. {@link #reload}
 * swaps in a new rule set atomically (SIGHUP); a file that fails to load keeps the old rules. The
 * sticky windows survive a reload. Thread-safe.
 */
public final class LiveRules {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final Path file;
    private final AtomicReference<CaptureRules> current;
    private final StickyClients sticky;

    public LiveRules(Path file, CaptureRules initial, StickyClients sticky) {
        this.file = file;
        this.current = new AtomicReference<>(initial);
        this.sticky = sticky;
    }

    /** Loads {@code file} (exit-2 material at startup: the exception names file, line and cause). */
    public static LiveRules load(Path file) throws RulesException {
        return new LiveRules(file, CaptureRules.load(file), new StickyClients());
    }

    /** Fixed rules (tests, or no file). */
    public static LiveRules of(CaptureRules rules) {
        return new LiveRules(null, rules, new StickyClients());
    }

    public CaptureRules current() {
        return current.get();
    }

    public StickyClients sticky() {
        return sticky;
    }

    public Path file() {
        return file;
    }

    /** Re-reads the file; on an error logs it and keeps the rules in force. Returns whether the new rules are in force. */
    public boolean reload() {
        if (file == null) {
            return false;
        }
        try {
            CaptureRules fresh = CaptureRules.load(file);
            current.set(fresh);
            log.info("rules reloaded: {}", fresh);
            return true;
        } catch (RulesException e) {
            log.error("rules not reloaded, keeping the {} rule(s) in force: {}", current.get().all().size(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.error("rules not reloaded, keeping the rules in force: {}", e.toString());
            return false;
        }
    }
}
