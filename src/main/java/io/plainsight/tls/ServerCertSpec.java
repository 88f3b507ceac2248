package io.plainsight.tls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One {@code --server-cert DOMAINS:FILE} argument: the domains (host names, wildcards such as
 * {@code *.example.com}, or {@code *} for any name) an imported certificate is shown for, and the
 * PKCS#12 or PEM file holding it.
 */
public record ServerCertSpec(List<String> domains, Path file) {
    private static final Pattern DOMAIN = Pattern.compile(
            "\\*|(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\\.?");

    public ServerCertSpec {
        domains = List.copyOf(domains);
    }

    /**
     * Parses {@code DOMAINS:FILE}, e.g. {@code example.com,*.example.com:/etc/certs/site.p12}.
     *
     * @throws IllegalArgumentException with a message quoting the argument and the expected form
     */
    public static ServerCertSpec parse(String spec) {
        String expected = "expected DOMAINS:FILE, e.g. example.com,*.example.com:/path/to/cert.p12 "
                + "(DOMAINS comma-separated; '*' for any name)";
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty --server-cert value: " + expected);
        }
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("--server-cert '" + spec + "': " + expected);
        }
        String file = spec.substring(colon + 1);
        List<String> domains = new ArrayList<>();
        for (String d : spec.substring(0, colon).split(",", -1)) {
            String name = d.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("--server-cert '" + spec + "': empty domain in the list; " + expected);
            }
            if (!DOMAIN.matcher(name).matches()) {
                throw new IllegalArgumentException("--server-cert '" + spec + "': '" + d.trim()
                        + "' is not a host name, a *.wildcard or '*'; " + expected);
            }
            domains.add(name);
        }
        return new ServerCertSpec(domains, Path.of(file));
    }

    @Override
    public String toString() {
        return String.join(",", domains) + ":" + file;
    }
}
