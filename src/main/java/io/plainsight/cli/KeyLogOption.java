package io.plainsight.cli;

import io.plainsight.sink.keylog.KeyLogSink;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code --keylog FILE} of the live modes (not of {@code decrypt}, where {@code --keylog} is an
 * input): the TLS secrets of both legs as an NSS key log. Without it, {@code SSLKEYLOGFILE} from
 * the environment is used, as browsers and curl do.
 */
final class KeyLogOption {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    /** The environment variable honoured when {@code --keylog} is not given. */
    static final String ENV = "SSLKEYLOGFILE";

    @Option(names = "--keylog", paramLabel = "FILE",
            description = "Append the TLS secrets of both legs of every connection to FILE (NSS key log, created "
                    + "owner-only), so a capture of the encrypted traffic on either side decrypts in Wireshark with it. "
                    + "Default: env " + ENV + " when set.")
    Path keyLog;

    /** The key log file: --keylog, else SSLKEYLOGFILE (said in the log), else null. */
    Path file(Function<String, String> environment) {
        if (keyLog != null) {
            return keyLog;
        }
        String env = environment.apply(ENV);
        if (env == null || env.isBlank()) {
            return null;
        }
        Path p = Path.of(env);
        log.info("{} is set: writing the TLS secrets of both legs to {} (--keylog FILE chooses another file)",
                ENV, p.toAbsolutePath());
        return p;
    }

    /** The sink for the key log, or null when there is none. */
    KeyLogSink sink(Function<String, String> environment) {
        Path f = file(environment);
        if (f == null) {
            return null;
        }
        if (keyLog != null) {
            log.info("writing the TLS secrets of both legs to {} (NSS key log)", f.toAbsolutePath());
        }
        return new KeyLogSink(f);
    }
}
