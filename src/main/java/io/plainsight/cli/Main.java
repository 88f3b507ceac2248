package io.plainsight.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code plainsight} command line. */
@Command(name = "plainsight",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Captures and decrypts the traffic passing through it.",
        subcommands = {ProxyCommand.class, TransparentCommand.class, ReverseCommand.class, OriginateCommand.class, DecryptCommand.class, CaCommand.class})
public final class Main implements Runnable {
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
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parses and runs; returns the exit code. Long-running commands return when stopped. */
    public static int run(String... args) {
        CommandLine cl = commandLine();
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
        CommandLine cl = commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        DecryptCommand decrypt = (DecryptCommand) cl.getSubcommands().get("decrypt").getCommand();
        decrypt.console = out;
        decrypt.err = err;
        decrypt.stdin = stdin;
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
        CommandLine cl = commandLine();
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

    /** The configured picocli command line (errors as one-line messages, not stack traces). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
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

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
