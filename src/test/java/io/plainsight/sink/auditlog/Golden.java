package io.plainsight.sink.auditlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/auditlog/}, compared byte for byte. Run with
 * {@code -Dauditlog.golden.update=true} to rewrite them from the current output (then read the
 * diff before committing).
 */
final class Golden {
    private static final Path SOURCE = Path.of("src/test/resources/auditlog");

    private Golden() {}

    static void assertMatches(String name, byte[] actual) {
        if (Boolean.getBoolean("auditlog.golden.update")) {
            try {
                Files.createDirectories(SOURCE);
                Files.write(SOURCE.resolve(name), actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        byte[] expected = read(name);
        assertThat(new String(actual, StandardCharsets.ISO_8859_1)).as("golden file auditlog/" + name)
                .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
        assertThat(actual).isEqualTo(expected);
    }

    static byte[] read(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/auditlog/" + name)) {
            if (in == null) {
                throw new AssertionError("no golden file auditlog/" + name + " (run with -Dauditlog.golden.update=true)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
