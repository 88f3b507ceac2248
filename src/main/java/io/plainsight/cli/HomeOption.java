package io.plainsight.cli;

import io.plainsight.tls.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --home DIR} option (a picocli mixin): plainsight's state directory (CA, captures),
 * by default {@code $PLAINSIGHT_HOME} or {@code ~/.plainsight}. {@link #resolve()} creates the
 * directory with mode 0700 when it is missing.
 */
public class HomeOption {
    /** Environment variable naming the default home directory. */
    public static final String ENV = "PLAINSIGHT_HOME";

    @Option(names = "--home", paramLabel = "DIR",
            description = "state directory; default $PLAINSIGHT_HOME or ~/.plainsight")
    Path home;

    public HomeOption() {
    }

    /** An option preset to {@code home} (null: the default). */
    public HomeOption(Path home) {
        this.home = home;
    }

    /** The home directory (created 0700 when missing). */
    public Path resolve() {
        // $HOME first, as shells and other CLI tools use it (Java's user.home comes from passwd)
        String home = System.getenv("HOME");
        return resolve(System.getenv(), home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** {@link #resolve()} with an explicit environment and user home directory. */
    Path resolve(Map<String, String> env, String userHome) {
        Path dir = home;
        if (dir == null) {
            String fromEnv = env.get(ENV);
            dir = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : Path.of(userHome, ".plainsight");
        }
        try {
            return OwnerOnlyFiles.createPrivateDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plainsight home directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
