package io.plainsight.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A parser of the Prometheus text exposition format (0.0.4) as a scraper reads it: {@code # HELP}
 * and {@code # TYPE} lines, and samples {@code name{label="value",...} value [timestamp]} with
 * label values escaped ({@code \\}, {@code \"}, {@code \n}). Written from the format's
 * specification, independently of the library that writes it.
 *
 * <pre>{@code
 * PrometheusText m = PrometheusText.parse(Curl.run(url + "/metrics").stdout());
 * assertThat(m.value("plainsight_connections_active", "mode", "reverse")).isEqualTo(0);
 * }</pre>
 */
public final class PrometheusText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
        /** True when every given label (name, value, name, value...) has that value. */
        public boolean has(String... labelPairs) {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /** Parses a whole exposition; a malformed line fails with its number and text. */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] f = line.split(" ", 4);
                if (f.length >= 4 && f[1].equals("TYPE")) {
                    types.put(f[2], f[3].trim());
                }
                continue;
            }
            try {
                samples.add(sample(line));
            } catch (RuntimeException e) {
                throw new AssertionError("line " + (n + 1) + " is not a Prometheus sample: '" + line + "': " + e.getMessage(), e);
            }
        }
        return new PrometheusText(List.copyOf(samples), types);
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq).trim();
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted");
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        v.append(e == 'n' ? '\n' : e);
                    } else {
                        v.append(c);
                    }
                }
                labels.put(label, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split(" +");
        return new Sample(name, labels, parseValue(rest[0]));
    }

    private static double parseValue(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** Every sample. */
    public List<Sample> samples() {
        return samples;
    }

    /** The samples of one metric name with the given labels (name, value, ...). */
    public List<Sample> samples(String name, String... labelPairs) {
        return samples.stream().filter(s -> s.name().equals(name) && s.has(labelPairs)).toList();
    }

    /** The {@code # TYPE} of a metric family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /**
     * The value of the one sample of {@code name} with these labels; fails when there is none or
     * more than one.
     */
    public double value(String name, String... labelPairs) {
        List<Sample> found = samples(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + String.join(",", labelPairs)
                    + "; samples of that name: " + samples(name));
        }
        return found.get(0).value();
    }

    /** The sum of the samples of {@code name} with these labels (0 when none). */
    public double sum(String name, String... labelPairs) {
        return samples(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    /** True when some sample's name satisfies {@code p}. */
    public boolean anyName(Predicate<String> p) {
        return samples.stream().anyMatch(s -> p.test(s.name()));
    }
}
