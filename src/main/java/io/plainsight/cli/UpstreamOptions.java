package io.plainsight.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How plainsight verifies the servers it connects to over TLS. */
public final class UpstreamOptions {
    @Option(names = "--upstream-ca", paramLabel = "FILE",
            description = "Also trust these CA certificates (PEM) for upstream TLS. Repeatable.")
    List<Path> upstreamCa = new ArrayList<>();

    @Option(names = "--upstream-insecure", description = "Do not verify upstream certificates (says so at start-up).")
    boolean upstreamInsecure;
}
