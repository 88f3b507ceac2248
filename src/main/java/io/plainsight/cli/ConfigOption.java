package io.plainsight.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Declares {@code --config FILE}; {@link ConfigFile#expand} reads it before parsing. */
public final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Read options from a YAML file (keys are option names without dashes; the command line wins).")
    Path config;
}
