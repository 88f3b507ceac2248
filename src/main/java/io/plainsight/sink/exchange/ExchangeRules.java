package io.plainsight.sink.exchange;

import io.plainsight.http.Exchange;
import io.plainsight.policy.CaptureRules;
import io.plainsight.policy.LiveRules;
import io.plainsight.policy.Redaction;
import io.plainsight.policy.Rule;
import io.plainsight.policy.RuleMatch;
import io.plainsight.policy.RuleVerdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the capture rules to each exchange before any output sees it: evaluates every exchange
 * rule in file order against the exchange as captured, records matches, part changes, audit and
 * the sticky window in {@link Exchange#verdict}, then redacts the exchange in place (so every text
 * output shows the redacted values). Runs on the exchange sink's thread.
 */
public final class ExchangeRules {
    private final LiveRules rules;

    public ExchangeRules(LiveRules rules) {
        this.rules = rules;
    }

    /** Sets {@code x.verdict} and redacts {@code x}. */
    public void apply(ConnectionMeta c, Exchange x) {
        CaptureRules set = rules.current();
        InetAddress client = c.client() == null ? null : c.client().getAddress();
        long start = x.request != null && x.request.startMicros > 0 ? x.request.startMicros : io.plainsight.event.Clock.nowMicros();
        List<Rule> exchangeRules = set.exchangeRules();
        List<RuleMatch> matches = List.of();
        List<String> parts = List.of();
        Boolean audit = null;
        long sticky = 0;
        Redaction redact = Redaction.NONE;
        if (!exchangeRules.isEmpty()) {
            ExchangeFields fields = new ExchangeFields(c, x);
            for (Rule r : exchangeRules) {
                if (!r.match().matches(fields)) {
                    continue;
                }
                if (matches.isEmpty()) {
                    matches = new ArrayList<>(2);
                    parts = new ArrayList<>(2);
                }
                matches.add(r.toMatch());
                for (var p : r.actions().parts()) {
                    parts.add(p.toString());
                }
                if (r.actions().audit() != null) {
                    audit = r.actions().audit();
                }
                sticky = Math.max(sticky, r.actions().stickyMicros());
                redact = redact.plus(r.actions().redact());
            }
        }
        long until = 0;
        if (client != null) {
            if (sticky > 0) {
                rules.sticky().trigger(client, end(x, start), sticky);
            }
            until = rules.sticky().until(client, start);
        }
        List<String> sanitised = redact.apply(x);
        if (matches.isEmpty() && until == 0 && sanitised.isEmpty()) {
            x.verdict = RuleVerdict.NONE;
        } else {
            x.verdict = new RuleVerdict(matches, parts, audit, until, sanitised);
        }
    }

    /** When the exchange ended (the trigger time of a sticky window). */
    private static long end(Exchange x, long start) {
        if (x.response != null && x.response.endMicros > 0) {
            return x.response.endMicros;
        }
        if (x.request != null && x.request.endMicros > 0) {
            return x.request.endMicros;
        }
        return start;
    }
}
