package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import io.plainsight.http.Conversation.Feed;
import io.plainsight.http.Conversation.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged input: real transcripts with bytes flipped, inserted or deleted, steps cut, dropped or
 * repeated. Whatever the damage, nothing escapes the decoder, no internal error is reported, and
 * the result does not depend on how the bytes were split (whole, byte by byte, random cuts);
 * with the directions interleaved differently it may differ (the relay order is information),
 * but still nothing escapes.
 */
class Http1DecoderMutationTest {
    private static final int MUTANTS = 60;
    private static final byte[] INTERESTING = {'\r', '\n', ' ', '\t', ':', ';', '0', 'f', 'g', 0, (byte) 0x80, 'H'};

    @ParameterizedTest
    @ValueSource(strings = {"curl-keepalive", "curl-expect-100", "curl-chunked-upload", "curl-h2c-declined",
        "raw-chunked-trailers", "raw-garbage", "curl-head", "curl-not-modified"})
    void damagedTranscriptsDecodeTheSameHoweverSplit(String name) {
        Conversation original = Transcripts.load(name);
        Random r = new Random(name.hashCode());
        Http1LineCache lines = new Http1LineCache();
        for (int m = 0; m < MUTANTS; m++) {
            Conversation c = mutate(original, r);
            String whole = decode(c, Feed.whole());
            assertThat(whole).as(name + " mutant " + m).doesNotContain("internal error");
            if (size(c) <= 4096) {
                assertThat(decode(c, Feed.bytes())).as(name + " mutant " + m + " bytes").isEqualTo(whole);
            }
            // as an exchange sink decodes: off-heap buffers, head lines shared by all its decoders
            assertThat(c.decode(Feed.split(m), OPTIONS, "http", true, true, lines).text())
                    .as(name + " mutant " + m + " off-heap, line cache").isEqualTo(whole);
            for (int s = 1; s <= 3; s++) {
                assertThat(decode(c, Feed.split(s))).as(name + " mutant " + m + " split " + s).isEqualTo(whole);
                assertThat(decode(c, Feed.interleaved(s))).as(name + " mutant " + m + " interleaved " + s)
                        .doesNotContain("internal error");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "h2c", "connect"})
    void damagedSwitchesDecodeTheSameHoweverSplit(String which) {
        Conversation original = switch (which) {
            case "websocket" -> new Conversation()
                    .client(Http1DecoderTest.WS_REQUEST)
                    .server(Http1DecoderTest.WS_101 + Http1DecoderTest.WS_SERVER_HELLO)
                    .clientAfter(Http1DecoderTest.WS_CLIENT_HELLO);
            case "h2c" -> new Conversation()
                    .client("POST /h2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nUpgrade: h2c\r\n\r\nabc")
                    .client("GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
                    .server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n\u0000\u0000")
                    .clientAfter("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            default -> new Conversation()
                    .client(Fixtures.CURL_CONNECT)
                    .client("\u0016\u0003\u0001\u0000\u0005hello")
                    .server("HTTP/1.1 407 No\r\nContent-Length: 2\r\n\r\nno")
                    .server("HTTP/1.1 200 Connection established\r\n\r\n\u0016\u0003\u0003");
        };
        Random r = new Random(which.hashCode());
        for (int m = 0; m < MUTANTS; m++) {
            Conversation c = mutate(original, r);
            String whole = decode(c, Feed.whole());
            assertThat(whole).as(which + " mutant " + m).doesNotContain("internal error");
            assertThat(decode(c, Feed.bytes())).as(which + " mutant " + m + " bytes").isEqualTo(whole);
            for (int s = 1; s <= 3; s++) {
                assertThat(decode(c, Feed.split(s))).as(which + " mutant " + m + " split " + s).isEqualTo(whole);
                assertThat(decode(c, Feed.interleaved(s))).as(which + " mutant " + m + " interleaved " + s)
                        .doesNotContain("internal error");
            }
        }
    }

    private static final DecodeOptions OPTIONS = new DecodeOptions(512, 2048);

    private static String decode(Conversation c, Feed f) {
        return c.decode(f, OPTIONS, "http", true).text();
    }

    private static int size(Conversation c) {
        return c.steps.stream().mapToInt(s -> s.bytes().length).sum();
    }

    /** One to three random changes. */
    static Conversation mutate(Conversation original, Random r) {
        List<Step> steps = new ArrayList<>(original.steps);
        int changes = 1 + r.nextInt(3);
        for (int k = 0; k < changes && !steps.isEmpty(); k++) {
            int i = r.nextInt(steps.size());
            Step s = steps.get(i);
            byte[] b = s.bytes();
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            byte[] out = switch (r.nextInt(7)) {
                case 0 -> { // flip a byte
                    byte[] c = b.clone();
                    if (c.length > 0) {
                        c[at] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
                    }
                    yield c;
                }
                case 1 -> { // insert a byte
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    yield c;
                }
                case 2 -> { // delete a byte
                    if (b.length == 0) {
                        yield b;
                    }
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    yield c;
                }
                case 3 -> java.util.Arrays.copyOf(b, at); // cut the step short
                case 4 -> null; // drop the step
                case 5 -> { // repeat the step
                    steps.add(i, s);
                    yield b;
                }
                default -> { // cut the conversation after this step
                    steps.subList(i + 1, steps.size()).clear();
                    yield b;
                }
            };
            if (out == null) {
                steps.remove(i);
            } else {
                steps.set(i, new Step(s.direction(), out, s.waits()));
            }
        }
        Conversation c = new Conversation();
        for (Step s : steps) {
            if (s.bytes().length > 0) {
                c.add(s.direction(), s.bytes(), s.waits() && s.direction() == Direction.CLIENT_TO_SERVER);
            }
        }
        return c;
    }
}
