package io.plainsight.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE}: every option of a command can come from a YAML file, so that secrets and
 * long option lists stay out of the process list. Keys are the long option names without the
 * dashes; lists repeat an option; {@code true} turns a flag on. Options given on the command line
 * win over the file.
 *
 * <pre>
 * listen: 0.0.0.0:8443
 * connect: backend.internal:443
 * server-cert: ["*:/etc/plainsight/site.p12"]
 * server-cert-password-file: /etc/plainsight/site.pass
 * pcap-dir: /var/log/plainsight
 * rotate: 15m
 * </pre>
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** Returns {@code args} with the options of every {@code --config FILE} inserted after the subcommand. */
    public static String[] expand(CommandLine top, String[] args) {
        int at = 0;
        CommandSpec spec = top.getCommandSpec();
        while (at < args.length && spec.subcommands().containsKey(args[at])) {
            spec = spec.subcommands().get(args[at]).getCommandSpec();
            at++;
        }
        List<String> fromFiles = new ArrayList<>();
        for (int i = at; i < args.length; i++) {
            String file = null;
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                file = args[i].substring("--config=".length());
            }
            if (file != null) {
                fromFiles.addAll(toArgs(spec, Path.of(file)));
            }
        }
        if (fromFiles.isEmpty()) {
            return args;
        }
        List<String> out = new ArrayList<>(List.of(args).subList(0, at));
        out.addAll(fromFiles);
        out.addAll(List.of(args).subList(at, args.length));
        return out.toArray(String[]::new);
    }

    static List<String> toArgs(CommandSpec spec, Path file) {
        Map<?, ?> map;
        try {
            Object parsed = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
            if (parsed == null) {
                return List.of();
            }
            if (!(parsed instanceof Map<?, ?> m)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "config " + file + ": expected a map of option names to values");
            }
            map = m;
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "config " + file + ": no such file");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "config " + file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            String name = "--" + key;
            OptionSpec option = spec.findOption(name);
            if (option == null || key.equals("config")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "config " + file + ": unknown option '" + key + "' for '" + spec.qualifiedName() + "'");
            }
            Object value = entry.getValue();
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    out.add(name);
                    out.add(scalar(spec, file, key, item));
                }
            } else if (value instanceof Boolean b && option.arity().max() == 0) {
                if (b) {
                    out.add(name);
                }
            } else {
                out.add(name);
                out.add(scalar(spec, file, key, value));
            }
        }
        return out;
    }

    private static String scalar(CommandSpec spec, Path file, String key, Object value) {
        if (value == null || value instanceof Map<?, ?> || value instanceof List<?>) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "config " + file + ": option '" + key + "' needs a value or a list of values");
        }
        return String.valueOf(value);
    }
}
