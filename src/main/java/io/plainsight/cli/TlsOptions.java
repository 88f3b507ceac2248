package io.plainsight.cli;

import io.plainsight.tls.KeyMaterial;
import io.plainsight.tls.ServerCertSpec;
import io.plainsight.tls.ServerCertificates;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns TLS options into key material and start-up warnings. */
final class TlsOptions {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private TlsOptions() {}

    static void warnIfInsecure(UpstreamOptions o, boolean plaintextUpstream) {
        if (o.upstreamInsecure && !plaintextUpstream) {
            log.warn("--upstream-insecure: upstream TLS certificates are NOT verified; anyone in the path can impersonate the backend");
        }
    }

    /** Loads every {@code --server-cert DOMAINS:FILE}; the password comes from the file or the environment. */
    static Map<List<String>, KeyMaterial> serverCertificates(List<String> specs, Path passwordFile) {
        Map<List<String>, KeyMaterial> out = new LinkedHashMap<>();
        if (specs.isEmpty()) {
            return out;
        }
        char[] password = ServerCertificates.password(passwordFile);
        for (String text : specs) {
            ServerCertSpec spec;
            try {
                spec = ServerCertSpec.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            out.put(spec.domains(), ServerCertificates.load(spec, password));
        }
        return out;
    }
}
