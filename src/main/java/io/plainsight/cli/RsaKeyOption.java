package io.plainsight.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One {@code --rsa-key [IP,PORT,]FILE[:PASSWORD]} of {@code plainsight decrypt}. PASSWORD is
 * {@code env:VARIABLE} (the password is that environment variable's value) or the name of a file
 * whose first line is the password. IP and PORT only narrow which connections the key is tried
 * for when the server certificate is not in the capture ({@code 0.0.0.0}, {@code ::},
 * {@code any} and port {@code 0} are wildcards); keys are matched to connections by the
 * certificate's public key.
 *
 * @param narrowTo null, or the server address the key is narrowed to
 * @param password null for none
 */
record RsaKeyOption(String spec, InetSocketAddress narrowTo, Path file, char[] password) {

    static RsaKeyOption parse(String spec, Map<String, String> env) {
        String rest = spec;
        InetSocketAddress narrow = null;
        String[] parts = spec.split(",", -1);
        if (parts.length == 3) {
            narrow = address(spec, parts[0].trim(), parts[1].trim());
            rest = parts[2];
        } else if (parts.length != 1) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': expected [IP,PORT,]FILE[:PASSWORD]");
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': no key file named");
        }
        Path file = Path.of(rest);
        char[] password = null;
        if (!Files.exists(file)) {
            int env1 = rest.indexOf(":env:");
            int colon = env1 >= 0 ? env1 : rest.lastIndexOf(':');
            if (colon > 0) {
                file = Path.of(rest.substring(0, colon));
                password = password(spec, rest.substring(colon + 1), env);
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': the key file " + file + " does not exist");
        }
        return new RsaKeyOption(spec, narrow, file, password);
    }

    private static char[] password(String spec, String source, Map<String, String> env) {
        if (source.startsWith("env:")) {
            String name = source.substring(4);
            String value = env.get(name);
            if (value == null) {
                throw new IllegalArgumentException("--rsa-key '" + spec + "': the environment variable " + name + " is not set");
            }
            return value.toCharArray();
        }
        try {
            String text = Files.readString(Path.of(source), StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            String line = eol >= 0 ? text.substring(0, eol) : text;
            return (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).toCharArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': cannot read the password file " + source + ": "
                    + e.getMessage(), e);
        }
    }

    private static InetSocketAddress address(String spec, String ip, String port) {
        int p;
        try {
            p = "any".equalsIgnoreCase(port) || port.isEmpty() ? 0 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': '" + port + "' is not a port");
        }
        String host = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        if ("any".equalsIgnoreCase(host) || host.isEmpty()) {
            host = "0.0.0.0";
        }
        if (!host.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': '" + ip + "' is not an IP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--rsa-key '" + spec + "': '" + ip + "' is not an IP address", e);
        }
    }
}
