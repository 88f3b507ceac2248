package io.plainsight.http;

import io.plainsight.event.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** Reads the connection transcripts under src/test/resources/http1 (format in its README.md). */
final class Transcripts {
    private Transcripts() {}

    static Conversation load(String name) {
        byte[] file;
        try (InputStream in = Transcripts.class.getResourceAsStream("/http1/" + name + ".transcript")) {
            if (in == null) {
                throw new IllegalArgumentException("no transcript " + name);
            }
            file = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Conversation c = new Conversation();
        int i = 0;
        while (i < file.length) {
            int lf = indexOf(file, (byte) '\n', i);
            String line = new String(file, i, lf - i, java.nio.charset.StandardCharsets.US_ASCII);
            i = lf + 1;
            if (line.startsWith("#")) {
                continue;
            }
            Direction d = switch (line.charAt(0)) {
                case '>' -> Direction.CLIENT_TO_SERVER;
                case '<' -> Direction.SERVER_TO_CLIENT;
                default -> throw new IllegalArgumentException(name + ": bad record line " + line);
            };
            int n = Integer.parseInt(line.substring(2));
            c.add(d, Arrays.copyOfRange(file, i, i + n), false);
            i += n;
            if (file[i] != '\n') {
                throw new IllegalArgumentException(name + ": record not followed by a newline at " + i);
            }
            i++;
        }
        return c;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("no line end after " + from);
    }
}
