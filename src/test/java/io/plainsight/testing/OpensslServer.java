package io.plainsight.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code openssl s_server} on a free loopback port, as a TLS backend that is not nginx: {@code -www}
 * (HTTP/1.0 status page, closes after it), {@code -rev} (a line service that answers each line
 * reversed), or any other mode arguments. Waits until it accepts; {@link #close()} stops only it.
 */
public final class OpensslServer implements AutoCloseable {
    private final ExternalProcess process;
    private final int port;

    private OpensslServer(ExternalProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server presenting {@code chain} (PEM, leaf first) with {@code key}. */
    public static OpensslServer start(Path chain, Path key, String... modeArgs) {
        return start(null, chain, key, modeArgs);
    }

    /**
     * With the PKI's server certificate, in {@code directory} (where {@code -WWW} finds the files
     * it serves: {@code GET /NAME} answers with {@code directory/NAME}).
     */
    public static OpensslServer startIn(Path directory, TestPki pki, String... modeArgs) {
        return start(directory, pki.serverCert(), pki.serverKey(), modeArgs);
    }

    private static OpensslServer start(Path directory, Path chain, Path key, String... modeArgs) {
        ExternalProcess.requireTool("openssl");
        int port = FreePort.tcp();
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", chain.toAbsolutePath().toString(), "-key", key.toAbsolutePath().toString(), "-quiet"));
        cmd.addAll(List.of(modeArgs));
        ExternalProcess process = ExternalProcess.builder(cmd).directory(directory).start();
        if (!FreePort.awaitAccepting(port, Duration.ofSeconds(10))) {
            String err = process.stderrSoFar();
            process.close();
            throw new AssertionError("openssl s_server did not accept on " + port + ": " + err);
        }
        return new OpensslServer(process, port);
    }

    /** With the shared test PKI's server certificate. */
    public static OpensslServer start(TestPki pki, String... modeArgs) {
        return start(pki.serverCert(), pki.serverKey(), modeArgs);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
    }
}
