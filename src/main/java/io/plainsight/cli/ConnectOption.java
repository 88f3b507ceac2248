package io.plainsight.cli;

import picocli.CommandLine.Option;

/** The backend of the relay modes. */
public final class ConnectOption {
    @Option(names = "--connect", paramLabel = "HOST:PORT", required = true, description = "The backend.")
    String connect;
}
