package io.plainsight.offline.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@code *.tshark.tsv} file of the test resources (see {@code tshark_truth.py}): tshark's frame count and TCP segments. */
record Truth(long frames, List<String> segments) {
    static final String RESOURCES = "/offline/capture/";

    static Truth load(String resource) {
        try (InputStream in = Truth.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null) {
                throw new AssertionError("missing test resource " + RESOURCES + resource);
            }
            long frames = -1;
            List<String> segments = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("# frames\t")) {
                    frames = Long.parseLong(line.substring("# frames\t".length()).trim());
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    segments.add(line);
                }
            }
            if (frames < 0) {
                throw new AssertionError(resource + " has no '# frames' line");
            }
            return new Truth(frames, segments);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
