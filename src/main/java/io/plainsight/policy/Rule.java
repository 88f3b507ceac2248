package io.plainsight.policy;

/**
 * One capture rule: when {@link #match} holds, {@link #actions} apply.
 *
 * @param id the rule's id (unique in its file)
 * @param msg what the rule means, or null
 * @param match the filter expression
 * @param actions what it does
 * @param where {@code FILE line N}, for messages
 */
public record Rule(String id, String msg, FilterExpression match, RuleActions actions, String where) {
    /** The rule in the line format (shown in the audit log's K part and in logs). */
    public String text() {
        return id + (msg == null ? "" : " " + RuleReader.quote(msg)) + " match " + match.text() + " => " + actions.text();
    }

    /** What the exchange verdict records of it. */
    public RuleMatch toMatch() {
        return new RuleMatch(id, msg, text());
    }
}
