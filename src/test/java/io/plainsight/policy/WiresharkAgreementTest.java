package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.Tshark;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same expression selects the same packets in tshark as here. Each packet of a fixture capture
 * becomes a {@link MapFieldSource} filled from tshark's own field values (src/dst in packet
 * direction), so only the filter languages are compared: ANY/ALL semantics of multi-valued fields,
 * absent fields, CIDR, precedence, case rules of contains and matches.
 */
class WiresharkAgreementTest {
    private static final Tshark TSHARK = new Tshark();
    /** tshark field -> our source key (request/response Content-Type is decided per packet). */
    private static final String[] TSHARK_FIELDS = {
        "frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.stream",
        "http.request", "http.response", "http.host", "http.request.method", "http.request.uri",
        "http.request.version", "http.response.code", "http.response.phrase", "http.content_type",
        "http.content_length", "http.user_agent", "http.server",
    };
    private static final Map<Path, Map<Integer, MapFieldSource>> PACKETS = new LinkedHashMap<>();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "ip.addr != 192.0.2.10",
        "ip.addr !== 192.0.2.10",
        "ip.addr === 192.0.2.10",
        "ip.src == 192.0.2.0/24",
        "ip.src < ip.dst",
        "tcp.port != 80",
        "tcp.port in {1..100}",
        "tcp.port not in {80}",
        "http.request.method == GET",
        "http.request.method != \"GET\"",
        "http.request.method != \"POST\"",
        "!(http.request.method == \"POST\")",
        "http.request.method not in {\"POST\"}",
        "http.request.method matches \"get\"",
        "http.host contains \"EXAMPLE\"",
        "http.response.code in {200..299}",
        "tcp.srcport == 80 || http.request && tcp.dstport == 80",
    })
    void ipv4Capture(String expression) throws Exception {
        assertSameSelection(fixture("ipv4-http.pcap"), expression);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "ipv6.addr != 2001:db8::10",
        "ipv6.addr == 2001:db8::/127",
        "ipv6.dst in {2001:db8::1..2001:db8::1f}",
    })
    void ipv6Capture(String expression) throws Exception {
        assertSameSelection(fixture("ipv6-http-rst.pcap"), expression);
    }

    private static void assertSameSelection(Path pcap, String expression) throws FilterSyntaxException {
        FilterExpression filter = FilterExpression.parse(expression);
        TreeSet<Integer> ours = new TreeSet<>();
        packets(pcap).forEach((frame, source) -> {
            if (filter.matches(source)) {
                ours.add(frame);
            }
        });
        TreeSet<Integer> theirs = new TreeSet<>();
        for (String line : TSHARK.fieldLines(pcap, expression, "frame.number")) {
            theirs.add(Integer.parseInt(line.trim()));
        }
        assertThat(ours).as("frames selected by %s (tshark: %s)", expression, theirs).isEqualTo(theirs);
    }

    private static synchronized Map<Integer, MapFieldSource> packets(Path pcap) {
        return PACKETS.computeIfAbsent(pcap, p -> {
            Map<Integer, MapFieldSource> out = new LinkedHashMap<>();
            for (String line : TSHARK.fieldLines(p, null, TSHARK_FIELDS)) {
                String[] v = line.split("\t", -1);
                MapFieldSource s = new MapFieldSource();
                boolean request = !v[8].isEmpty();
                for (int i = 1; i < TSHARK_FIELDS.length; i++) {
                    if (v[i].isEmpty()) {
                        continue;
                    }
                    String key = switch (TSHARK_FIELDS[i]) {
                        case "ipv6.src" -> "ip.src";
                        case "ipv6.dst" -> "ip.dst";
                        case "http.content_type" -> request ? "http.header.content-type" : "http.response.header.content-type";
                        case "http.user_agent" -> "http.header.user-agent";
                        case "http.server" -> "http.response.header.server";
                        default -> TSHARK_FIELDS[i];
                    };
                    List<Object> values = new ArrayList<>();
                    for (String text : v[i].split(",")) {
                        values.add(switch (Fields.keyType(key)) {
                            case ADDRESS -> Sources.ip(text);
                            case INTEGER -> Long.parseLong(text);
                            case STRING -> text;
                            case PRESENCE -> Boolean.TRUE;
                        });
                    }
                    s.put(key, values.toArray());
                }
                out.put(Integer.parseInt(v[0]), s);
            }
            return out;
        });
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(WiresharkAgreementTest.class.getResource("/pcap/" + name).toURI());
    }
}
