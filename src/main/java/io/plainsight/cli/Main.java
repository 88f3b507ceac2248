package io.plainsight.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code plainsight} command line. */
@Command(name = "plainsight",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Captures and decrypts the traffic passing through it.")
public final class Main implements Runnable {
    /**
     * The subcommands, in the order of the usage. Each is built only when needed: picocli's model of
     * a command is made by reflection over its options (measured: building all six cost ~0.3 s of
     * CPU at every start), so a command line naming one builds that one alone.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // A small heap makes Netty's adaptive allocator switch to "low memory" mode, which pools
        // no large buffers: every TLS record buffer would then be a fresh, zeroed allocation.
        if (System.getProperty("io.netty.allocator.lowMemory") == null) {
            System.setProperty("io.netty.allocator.lowMemory", "false");
        }
    }

    public static void main(String[] args) {
        StartupWarmup.startFor(args);
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parses and runs; returns the exit code. Long-running commands return when stopped. */
    public static int run(String... args) {
        CommandLine cl = commandLine(args);
        if (unknownCommand(cl, args)) {
            return 2;
        }
        try {
            args = ConfigFile.expand(cl, args);
        } catch (CommandLine.ParameterException e) {
            cl.getErr().println("plainsight: " + e.getMessage());
            return 2;
        }
        return cl.execute(args);
    }

    /**
     * Runs a command to its end with its console lines going to {@code out} and its report, usage
     * and error messages to {@code err} (log lines still go to the process's stderr): for tests
     * and embedding. Returns the exit code.
     */
    public static int run(java.io.PrintStream out, java.io.PrintStream err, String... args) {
        return run(out, err, System.in, args);
    }

    /** {@link #run(java.io.PrintStream, java.io.PrintStream, String...)} with {@code decrypt -} reading {@code stdin}. */
    static int run(java.io.PrintStream out, java.io.PrintStream err, java.io.InputStream stdin, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        if (unknownCommand(cl, args)) {
            return 2;
        }
        CommandLine decryptLine = cl.getSubcommands().get("decrypt");
        if (decryptLine != null) {
            DecryptCommand decrypt = (DecryptCommand) decryptLine.getCommand();
            decrypt.console = out;
            decrypt.err = err;
            decrypt.stdin = stdin;
        }
        try {
            args = ConfigFile.expand(cl, args);
        } catch (CommandLine.ParameterException e) {
            err.println("plainsight: " + e.getMessage());
            return 2;
        }
        return cl.execute(args);
    }

    /**
     * Parses {@code args} (including {@code --config}) and starts a listening command without
     * blocking: for tests and embedding. The console lines go to {@code console}.
     */
    public static Running start(java.io.PrintStream console, String... args) throws InterruptedException {
        return start(console, System::getenv, args);
    }

    /**
     * {@link #start(java.io.PrintStream, String...)} with the environment variables the command
     * reads (e.g. {@code SSLKEYLOGFILE}) taken from {@code environment} instead of the process's.
     */
    public static Running start(java.io.PrintStream console, java.util.function.Function<String, String> environment,
            String... args) throws InterruptedException {
        CommandLine cl = commandLine(args);
        CommandLine.ParseResult parsed = cl.parseArgs(ConfigFile.expand(cl, args));
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        if (!(parsed.commandSpec().userObject() instanceof RelayCommand command)) {
            throw new IllegalArgumentException("'" + parsed.commandSpec().qualifiedName() + "' does not listen");
        }
        command.console = console;
        command.environment = environment;
        return command.start();
    }

    /** The configured picocli command line with every subcommand (errors as one-line messages, not stack traces). */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when the first names a subcommand, with that subcommand
     * alone (what parsing and running {@code args} needs), else with all of them (usage, --help,
     * --version, an unknown command).
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("plainsight: " + ex.getMessage());
                commandLine.usage(commandLine.getErr());
                return 2;
            }
            if (ex instanceof BadRulesException) {
                commandLine.getErr().println("plainsight: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof StartupException || ex instanceof IllegalStateException
                    || ex instanceof io.plainsight.tls.TlsSetupException) {
                commandLine.getErr().println("plainsight: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * A first argument that is neither an option nor a command ({@code plainsight bogus --help}):
     * picocli would print the usage for the --help and exit 0; this says what is wrong, prints
     * the usage to stderr, and the exit code is 2, as for any other bad command line.
     */
    private static boolean unknownCommand(CommandLine cl, String[] args) {
        if (args.length < 2 || args[0].startsWith("-") || SUBCOMMANDS.containsKey(args[0])) {
            return false; // alone, picocli reports it already ("Unmatched argument"), with exit code 2
        }
        cl.getErr().println("plainsight: unknown command '" + args[0] + "' (commands: "
                + String.join(", ", SUBCOMMANDS.keySet()) + ")");
        cl.usage(cl.getErr());
        return true;
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("proxy", ProxyCommand::new);
        m.put("transparent", TransparentCommand::new);
        m.put("reverse", ReverseCommand::new);
        m.put("originate", OriginateCommand::new);
        m.put("decrypt", DecryptCommand::new);
        m.put("ca", CaCommand::new);
        return m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
