package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The standard web content served by {@link NginxFixture}: deterministic files whose bytes a test
 * can compare with what crossed the wire.
 *
 * <ul>
 *   <li>{@code index.html}: a small HTML page ({@link #INDEX_HTML})</li>
 *   <li>{@code 1k.bin}: 1,024 bytes</li>
 *   <li>{@code 1m.bin}: 1 MiB (1,048,576 bytes)</li>
 *   <li>{@code 10m.bin}: 10 MB (10,000,000 bytes)</li>
 * </ul>
 * The .bin files are pseudo-random from {@link java.util.Random} seeded by the file name, so their
 * content is the same in every run and JVM ({@link #content(String)} recomputes it without disk).
 * {@link #standard()} is written once per JVM and must be treated as read-only.
 */
public final class Docroot {

    /** The exact content of {@code index.html}. */
    public static final String INDEX_HTML = """
            <!DOCTYPE html>
            <html><head><title>plainsight test backend</title></head>
            <body><h1>plainsight test backend</h1><p>Served by nginx for the plainsight tests.</p></body>
            </html>
            """;

    /** Names and sizes of the standard files. */
    public static final Map<String, Integer> BIN_SIZES;

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("1k.bin", 1024);
        m.put("1m.bin", 1024 * 1024);
        m.put("10m.bin", 10_000_000);
        BIN_SIZES = java.util.Collections.unmodifiableMap(m);
    }

    private static Path standard;

    private Docroot() {
    }

    /** The shared, read-only standard docroot (written on first use). */
    public static synchronized Path standard() {
        if (standard == null) {
            Path dir = TestFiles.newDir("docroot");
            writeStandardFiles(dir);
            standard = dir;
        }
        return standard;
    }

    /** Writes the standard files into {@code dir}. */
    public static void writeStandardFiles(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("index.html"), INDEX_HTML, StandardCharsets.UTF_8);
            for (String name : BIN_SIZES.keySet()) {
                Files.write(dir.resolve(name), content(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the docroot " + dir, e);
        }
    }

    /** The expected content of a standard file, computed (not read from disk). */
    public static byte[] content(String name) {
        if (name.equals("index.html")) {
            return INDEX_HTML.getBytes(StandardCharsets.UTF_8);
        }
        Integer size = BIN_SIZES.get(name);
        if (size == null) {
            throw new IllegalArgumentException("not a standard docroot file: " + name);
        }
        return pseudoRandom(name.hashCode(), size);
    }

    /** {@code size} deterministic pseudo-random bytes for {@code seed}. */
    public static byte[] pseudoRandom(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
