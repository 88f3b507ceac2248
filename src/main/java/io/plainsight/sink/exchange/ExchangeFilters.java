package io.plainsight.sink.exchange;

import io.plainsight.http.Exchange;
import io.plainsight.policy.FilterExpression;
import io.plainsight.policy.FilterSyntaxException;
import java.util.function.BiPredicate;

/** --filter for the exchange outputs. */
public final class ExchangeFilters {
    private ExchangeFilters() {}

    /**
     * A predicate over (connection, exchange); the exchange is null for WebSocket messages and
     * connection summaries, which then match only on connection fields. Null text: everything.
     *
     * @throws IllegalArgumentException with the position of a syntax error
     */
    public static BiPredicate<ConnectionMeta, Exchange> parse(String text) {
        if (text == null || text.isBlank()) {
            return (c, x) -> true;
        }
        FilterExpression f;
        try {
            f = FilterExpression.parse(text);
        } catch (FilterSyntaxException e) {
            throw new IllegalArgumentException("--filter: " + e.getMessage(), e);
        }
        return (c, x) -> f.matches(new ExchangeFields(c, x));
    }
}
