package io.plainsight.sink.exchange;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/** JSON arrays the exchange outputs write the same way. */
public final class JsonArrays {
    private JsonArrays() {}

    /** {@code "field":["a","b"]}, or nothing at all when {@code values} is empty. */
    public static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
