package io.plainsight.policy;

/**
 * One capture rule that matched an exchange: what the audit log shows in its H part
 * ({@code Message: ... [id "ID"] [msg "MSG"]}) and K part (the rule's text).
 *
 * @param id the rule's id
 * @param msg the rule's message, or null
 * @param rule the rule as written (its match expression and actions), for the K part
 */
public record RuleMatch(String id, String msg, String rule) {}
