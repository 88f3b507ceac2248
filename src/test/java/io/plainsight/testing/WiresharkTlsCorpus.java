package io.plainsight.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Wireshark's TLS decryption corpus with tshark's ground truth: /work/shared/testdata/wireshark-tls
 * (see its MANIFEST.md), or another place with {@code -Dplainsight.wiresharkTls=DIR}. A test that
 * uses a file of it fails when the file is missing.
 */
public final class WiresharkTlsCorpus {
    public static final Path DIR = Path.of(System.getProperty("plainsight.wiresharkTls", "/work/shared/testdata/wireshark-tls"));

    private WiresharkTlsCorpus() {}

    /** {@code captures/NAME}. */
    public static Path capture(String name) {
        return file("captures/" + name);
    }

    /** {@code keys/NAME}. */
    public static Path key(String name) {
        return file("keys/" + name);
    }

    /** A file of the corpus by its relative path; an AssertionError when it is missing. */
    public static Path file(String relative) {
        Path p = DIR.resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("missing " + p + ": the Wireshark TLS corpus is not there (give its folder with "
                    + "-Dplainsight.wiresharkTls=DIR)");
        }
        return p;
    }
}
