package io.plainsight.sink.auditlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.http.Exchange;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.OutputFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our serial log and concurrent index read back by {@link ModSecurityLogReader}, which shares no code with the writer. */
class AuditLogParserTest {
    @TempDir
    Path tmp;

    static AuditLogOutput output(AuditLogSettings settings, Path log) {
        return new AuditLogOutput(settings.withZone(AuditFixtures.ZONE), OutputFile.appending(log.toString(), "audit log"), 1 << 20,
                new AuditIds(new Random(42)), AuditFixtures.PRODUCER, AuditFixtures.SERVER_ID);
    }

    static boolean isSubsequence(String of, String s) {
        int i = 0;
        for (char c : of.toCharArray()) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
            }
        }
        return i == s.length();
    }

    @Test
    void aSerialLogOfSeveralExchangesReadsBackEntryByEntry() throws Exception {
        Path log = tmp.resolve("modsec_audit.log");
        AuditLogOutput out = output(AuditLogSettings.defaults().withParts(AuditParts.parse("ABCEFHIJKZ")), log);
        List<ConnectionMeta> connections = List.of(AuditFixtures.reverse(), AuditFixtures.reverse(), AuditFixtures.reverse(),
                AuditFixtures.proxyIpv6(), AuditFixtures.reverse());
        List<Exchange> exchanges = List.of(AuditFixtures.upload(), AuditFixtures.hello(), AuditFixtures.form(500),
                AuditFixtures.http2NotFound(), AuditFixtures.noResponse());
        for (int i = 0; i < exchanges.size(); i++) {
            out.exchange(connections.get(i), exchanges.get(i));
        }
        out.close();

        List<ModSecurityLogReader.Entry> entries = ModSecurityLogReader.read(Files.readString(log, StandardCharsets.ISO_8859_1));
        assertThat(entries).hasSize(5);
        Set<String> boundaries = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (ModSecurityLogReader.Entry e : entries) {
            boundaries.add(e.boundary());
            assertThat(e.order()).startsWith("A").endsWith("Z");
            assertThat(isSubsequence(AuditParts.OUTPUT_ORDER, e.order())).as(e.order()).isTrue();
            Matcher a = ModSecurityLogReader.PART_A.matcher(e.part('A'));
            assertThat(a.matches()).as("part A '%s'", e.part('A')).isTrue();
            ids.add(a.group("id"));
            assertThat(a.group("id")).hasSize(27).matches("[A-Za-z0-9@-]+");
            assertThat(e.trailer().get("Stopwatch")).matches("\\d+ \\d+ \\(- - -\\)");
            assertThat(e.trailer().get("Producer")).isEqualTo("plainsight/test.");
            assertThat(e.part('B')).endsWith("\n"); // the blank line after the headers
            assertThat(e.part('F')).satisfiesAnyOf(f -> assertThat(f).isEmpty(), f -> assertThat(f).endsWith("\n"));
        }
        assertThat(boundaries).as("a new boundary per entry").hasSize(5);
        assertThat(ids).as("unique ids").hasSize(5);

        ModSecurityLogReader.Entry upload = entries.get(0);
        Matcher a = ModSecurityLogReader.PART_A.matcher(upload.part('A'));
        assertThat(a.matches()).isTrue();
        assertThat(a.group("time")).isEqualTo("21/Nov/2025:17:00:00.001000 +0100");
        assertThat(List.of(a.group("client"), a.group("cport"), a.group("host"), a.group("hport")))
                .containsExactly("127.0.0.1", "50412", "127.0.0.2", "8443");
        assertThat(upload.order()).isEqualTo("ABCIFEHJKZ");
        assertThat(upload.part('B').split("\n")[0]).isEqualTo("POST /upload?x=1&y=a%20b HTTP/1.1");
        assertThat(upload.part('I')).isEqualTo("title=Hello+world+%26+more*&note=x%3dy");
        assertThat(upload.part('E')).isEqualTo("stored 2 files\n");
        assertThat(upload.part('J').split("\n")).containsExactly("2,22,\"notes.txt\",\"text/plain\"",
                "3,4,\"a\\\"b.png\",\"<Unknown ContentType>\"", "Total,26");
        assertThat(upload.messages()).hasSize(1);
        String message = upload.messages().get(0);
        assertThat(find(ModSecurityLogReader.MESSAGE_ID, message)).isEqualTo("1001");
        assertThat(find(ModSecurityLogReader.MESSAGE_MSG, message)).isEqualTo("Upload with \\\"quotes\\\"");
        assertThat(upload.trailer()).containsEntry("Response-Body-Transformed", "Dechunked, Decompressed")
                .containsEntry("Server", "nginx").containsEntry("Sanitised-Request-Headers", "\"Authorization\".");
        assertThat(upload.part('K')).startsWith("http.request.method == \"POST\"");

        // part I of a body that is not multipart is its C part
        assertThat(entries.get(2).order()).isEqualTo("ABCFHKZ");
        assertThat(entries.get(2).part('C')).isEqualTo("user=alice&password=secret");
        assertThat(entries.get(2).part('F').split("\n")[0]).isEqualTo("HTTP/1.1 500 Internal Server Error");

        Matcher v6 = ModSecurityLogReader.PART_A.matcher(entries.get(3).part('A'));
        assertThat(v6.matches()).isTrue();
        assertThat(v6.group("client")).isEqualTo("::1");
        assertThat(entries.get(4).part('F')).isEmpty();
        assertThat(entries.get(4).trailer()).containsEntry("Plainsight-Note", "response missing: the connection closed");
    }

    private static String find(Pattern p, String s) {
        Matcher m = p.matcher(s);
        assertThat(m.find()).as("%s in %s", p, s).isTrue();
        return m.group(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"serial-part-A.txt", "serial-part-B.txt", "serial-part-C.txt", "serial-part-I.txt",
        "serial-part-F.txt", "serial-part-E.txt", "serial-part-H.txt", "serial-part-J.txt", "serial-part-K.txt",
        "serial-all-parts.txt", "serial-default.txt", "serial-I-urlencoded.txt", "serial-http2-ipv6.txt",
        "serial-no-response.txt", "serial-sticky.txt", "concurrent-entry.txt"})
    void everyGoldenSerialFileReadsAsOneEntry(String name) {
        List<ModSecurityLogReader.Entry> entries =
                ModSecurityLogReader.read(new String(Golden.read(name), StandardCharsets.ISO_8859_1));
        assertThat(entries).hasSize(1);
        assertThat(ModSecurityLogReader.PART_A.matcher(entries.get(0).part('A')).matches()).isTrue();
        assertThat(isSubsequence(AuditParts.OUTPUT_ORDER, entries.get(0).order())).isTrue();
    }

    @Test
    void concurrentIndexLinesMatchMlogcsPatternAndTheirEntryFiles() throws Exception {
        Path log = tmp.resolve("index.log");
        Path dir = tmp.resolve("storage");
        AuditLogOutput out = output(AuditLogSettings.defaults().withStorageDir(dir), log);
        out.exchange(AuditFixtures.reverse(), AuditFixtures.upload());
        out.exchange(AuditFixtures.proxyIpv6(), AuditFixtures.http2NotFound());
        out.close();
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            Matcher m = ModSecurityLogReader.INDEX_LINE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            assertThat(m.group(19)).as("what follows the md5").isEqualTo(" ");
            Path entry = dir.resolve(m.group(15));
            assertThat(entry).exists();
            byte[] bytes = Files.readAllBytes(entry);
            assertThat(Long.parseLong(m.group(17))).isEqualTo(bytes.length);
            assertThat(m.group(18)).isEqualTo("md5:" + ConcurrentAuditStorage.md5(bytes));
            assertThat(m.group(16)).isEqualTo("0");
            List<ModSecurityLogReader.Entry> inFile =
                    ModSecurityLogReader.read(new String(bytes, StandardCharsets.ISO_8859_1));
            assertThat(inFile).hasSize(1);
            assertThat(m.group(13)).as("unique id").isEqualTo(ModSecurityLogReader.PART_A.matcher(inFile.get(0).part('A'))
                    .results().findFirst().orElseThrow().group("id"));
            assertThat(m.group(15)).matches("\\d{8}/\\d{8}-\\d{4}/\\d{8}-\\d{6}-" + Pattern.quote(m.group(13)));
        }
        Matcher first = ModSecurityLogReader.INDEX_LINE.matcher(lines.get(0));
        assertThat(first.matches()).isTrue();
        assertThat(first.group(1)).isEqualTo("api.test");
        assertThat(first.group(2)).isEqualTo("127.0.0.1");
        assertThat(first.group(5) + ":" + first.group(6) + " " + first.group(7)).isEqualTo("21/Nov/2025:17:00:00 +0100");
        assertThat(first.group(8)).isEqualTo("POST /upload?x=1&y=a%20b HTTP/1.1");
        assertThat(first.group(9)).isEqualTo("201");
        assertThat(first.group(15)).startsWith("20251121/20251121-1700/20251121-170000-");
    }
}
