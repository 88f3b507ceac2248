package io.plainsight.sink.auditlog;

import static io.plainsight.sink.auditlog.AuditFixtures.PRODUCER;
import static io.plainsight.sink.auditlog.AuditFixtures.SERVER_ID;
import static io.plainsight.sink.auditlog.AuditFixtures.ZONE;

import io.plainsight.http.Exchange;
import io.plainsight.policy.RuleVerdict;
import io.plainsight.sink.exchange.ConnectionMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each part and each format of hand-built exchanges against golden files. */
class AuditFormatGoldenTest {
    static final String UNIQUE_ID = "aSCL4AAAA@gAAAAAAAAAAAAAAAB";
    final AuditTime time = new AuditTime(ZONE);
    final SerialAuditFormat serial = new SerialAuditFormat(time, PRODUCER);
    final JsonAuditFormat json = new JsonAuditFormat(time, PRODUCER, SERVER_ID);

    static AuditRecord record(ConnectionMeta c, Exchange x, String parts) {
        return AuditRecord.of(c, x, AuditParts.parse(parts), UNIQUE_ID, "5d0f1c2a", 1 << 20);
    }

    /** A (with Z) and each other part alone, of the multipart upload. */
    @ParameterizedTest
    @ValueSource(strings = {"A", "B", "C", "I", "F", "E", "H", "J", "K"})
    void eachPartAlone(String part) {
        Golden.assertMatches("serial-part-" + part + ".txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.upload(), part), true));
    }

    @Test
    void everyPartOfTheUpload() {
        Golden.assertMatches("serial-all-parts.txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.upload(), "ABCDEFGHIJKZ"), true));
    }

    @Test
    void defaultPartsOfAPlainGet() {
        Golden.assertMatches("serial-default.txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.hello(), "ABCFHZ"), true));
    }

    @Test
    void partIOfABodyThatIsNotMultipartIsItsCPart() {
        Golden.assertMatches("serial-I-urlencoded.txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.form(200), "ABIFHZ"), true));
    }

    @Test
    void http2OverIpv6ThroughTheForwardProxy() {
        Golden.assertMatches("serial-http2-ipv6.txt",
                serial.entry(record(AuditFixtures.proxyIpv6(), AuditFixtures.http2NotFound(), "ABEFHZ"), true));
    }

    @Test
    void aMissingResponseLeavesFEmptyAndANote() {
        Golden.assertMatches("serial-no-response.txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.noResponse(), "ABCEFHZ"), true));
    }

    @Test
    void aStickyCaptureSaysUntilWhenInH() {
        Exchange x = AuditFixtures.hello();
        x.verdict = new RuleVerdict(List.of(), List.of(), null, AuditFixtures.T0 + 600_000_000L, List.of());
        Golden.assertMatches("serial-sticky.txt", serial.entry(record(AuditFixtures.reverse(), x, "ABCEFHIJKZ"), true));
    }

    @Test
    void aConcurrentEntryFileHasNoTrailingBlankLine() {
        Golden.assertMatches("concurrent-entry.txt",
                serial.entry(record(AuditFixtures.reverse(), AuditFixtures.upload(), "ABFHZ"), false));
    }

    @Test
    void theConcurrentIndexLine() {
        AuditRecord r = record(AuditFixtures.reverse(), AuditFixtures.upload(), "ABFHZ");
        byte[] entry = serial.entry(r, false);
        ConcurrentAuditStorage storage = new ConcurrentAuditStorage(java.nio.file.Path.of("unused"), time);
        String line = ConcurrentAuditStorage.indexLine(r, time, storage.fileName(r), entry.length,
                ConcurrentAuditStorage.md5(entry));
        Golden.assertMatches("concurrent-index.txt", line.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void jsonWithTheDefaultParts() {
        Golden.assertMatches("json-default.jsonl", json.entry(record(AuditFixtures.reverse(), AuditFixtures.hello(), "ABCFHZ")));
    }

    @Test
    void jsonWithEveryPart() {
        Golden.assertMatches("json-all-parts.jsonl",
                json.entry(record(AuditFixtures.reverse(), AuditFixtures.upload(), "ABCEFHIJKZ")));
    }

    @Test
    void jsonPartIReducesTheMultipartBody() {
        Golden.assertMatches("json-part-I.jsonl", json.entry(record(AuditFixtures.reverse(), AuditFixtures.upload(), "AIZ")));
    }

    @Test
    void jsonOfHttp2OverIpv6() {
        Golden.assertMatches("json-http2-ipv6.jsonl",
                json.entry(record(AuditFixtures.proxyIpv6(), AuditFixtures.http2NotFound(), "ABEFHZ")));
    }
}
