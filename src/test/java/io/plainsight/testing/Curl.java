package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The curl CLI as a real HTTP client. Every run adds {@code --silent --show-error --max-time N}
 * and {@code --noproxy *} (so a proxy set in the environment never intervenes; pass
 * {@code --proxy URL} explicitly to go through plainsight as a forward proxy).
 *
 * <pre>{@code
 * Curl.Response r = Curl.https(nginx.httpsUrl("/1m.bin"), pki.caCert(), "--http2");
 * assertThat(r.status()).isEqualTo(200);
 * assertThat(r.httpVersion()).isEqualTo("2");
 * assertThat(r.body()).isEqualTo(Docroot.content("1m.bin"));
 * }</pre>
 */
public final class Curl {

    /** Default {@code --max-time}, in seconds. */
    public static final int MAX_TIME_SECONDS = 60;

    /**
     * One transfer's outcome.
     *
     * @param status the HTTP status code ({@code %{http_code}}; 0 if no response)
     * @param httpVersion {@code %{http_version}}: "1.1", "2", ...
     * @param body the response body exactly as curl wrote it (decoded only if --compressed was given)
     * @param result the curl process result (exit code, stderr)
     */
    public record Response(int status, String httpVersion, byte[] body, ExternalProcess.Result result) {

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Curl.Response[" + status + " HTTP/" + httpVersion + ", " + body.length + " bytes, curl exit "
                    + result.exitCode() + "]";
        }
    }

    private Curl() {
    }

    /**
     * Runs {@code curl --silent --show-error --noproxy * --max-time 60 ARGS...} and returns the result
     * whatever curl's exit code (curl exits non-zero on connection and TLS errors; check
     * {@code exitCode()}, or call {@code assertSuccess()}).
     */
    public static ExternalProcess.Result run(String... args) {
        return run(null, args);
    }

    /**
     * {@link #run(String...)} with {@code SSLKEYLOGFILE=keyLog}: curl (with OpenSSL) appends the TLS
     * secrets of its connections to {@code keyLog} (NSS key log format). Null: no key log.
     */
    public static ExternalProcess.Result run(Path keyLog, String... args) {
        Path curl = ExternalProcess.requireTool("curl");
        List<String> cmd = new ArrayList<>(List.of(curl.toString(), "--silent", "--show-error",
                "--noproxy", "*", "--max-time", Integer.toString(MAX_TIME_SECONDS)));
        cmd.addAll(Arrays.asList(args));
        ExternalProcess.Builder b = ExternalProcess.builder(cmd);
        if (keyLog == null) {
            b.unsetEnv("SSLKEYLOGFILE");
        } else {
            b.env("SSLKEYLOGFILE", keyLog.toAbsolutePath().toString());
        }
        try (ExternalProcess p = b.start()) {
            return p.waitFor(Duration.ofSeconds(MAX_TIME_SECONDS + 30));
        }
    }

    /**
     * Fetches an https URL trusting only {@code caFile} ({@code --cacert}); {@code extra} are more
     * curl options (e.g. {@code --http2}, {@code --http1.1}, {@code --tlsv1.3},
     * {@code --resolve backend.test:PORT:127.0.0.1}). Fails with an AssertionError if curl fails.
     */
    public static Response https(String url, Path caFile, String... extra) {
        List<String> args = new ArrayList<>(List.of("--cacert", caFile.toAbsolutePath().toString()));
        args.addAll(Arrays.asList(extra));
        return fetch(url, args);
    }

    /** Fetches a URL (typically plain http) with {@code extra} curl options; fails if curl fails. */
    public static Response http(String url, String... extra) {
        return fetch(url, Arrays.asList(extra));
    }

    private static Response fetch(String url, List<String> extra) {
        Path bodyFile = TestFiles.newDir("curl").resolve("body");
        List<String> args = new ArrayList<>(extra);
        args.addAll(List.of("--output", bodyFile.toString(), "--write-out", "%{http_code} %{http_version}", url));
        ExternalProcess.Result r = run(args.toArray(String[]::new)).assertSuccess();
        String[] w = r.stdout().strip().split(" ");
        if (w.length != 2) {
            throw new AssertionError("unexpected curl --write-out output '" + r.stdout() + "' for " + url);
        }
        try {
            byte[] body = Files.exists(bodyFile) ? Files.readAllBytes(bodyFile) : new byte[0];
            return new Response(Integer.parseInt(w[0]), w[1], body, r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + bodyFile, e);
        }
    }
}
