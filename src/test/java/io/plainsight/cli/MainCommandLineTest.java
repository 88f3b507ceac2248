package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainCommandLineTest {
    private static final String[] ALL = {"proxy", "transparent", "reverse", "originate", "decrypt", "ca"};

    @Test
    void aNamedSubcommandIsBuiltAlone() {
        CommandLine cl = Main.commandLine(new String[] {"decrypt", "x.pcap"});
        assertThat(cl.getSubcommands().keySet()).containsExactly("decrypt");
        assertThat((Object) cl.getSubcommands().get("decrypt").getCommand()).isInstanceOf(DecryptCommand.class);
        assertThat(Main.commandLine(new String[] {"ca", "show"}).getSubcommands().get("ca").getSubcommands().keySet())
                .contains("init", "show", "export");
    }

    @Test
    void otherwiseEverySubcommandInUsageOrder() {
        assertThat(Main.commandLine().getSubcommands().keySet()).containsExactly(ALL);
        assertThat(Main.commandLine(new String[] {"--help"}).getSubcommands().keySet()).containsExactly(ALL);
        assertThat(Main.commandLine(new String[] {"bogus"}).getSubcommands().keySet()).containsExactly(ALL);
    }

    @Test
    void usageListsEveryCommandAndAnUnknownOneIsRefused() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        assertThat(Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "--help")).isZero();
        for (String name : ALL) {
            assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("(?m)^  " + name + " ");
        }
        assertThat(Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unmatched argument at index 0: 'bogus'");
    }

    @Test
    void anUnknownCommandWithHelpIsStillAnError() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "bogus", "--help");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("plainsight: unknown command 'bogus' (commands: proxy, transparent, reverse, originate, decrypt, ca)")
                .contains("Usage: plainsight");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        // a known command's help is still help
        assertThat(Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "decrypt", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: plainsight decrypt");
    }

    @Test
    void optionErrorsOfALoneSubcommandAreReportedAsBefore() {
        var err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "decrypt", "x.pcap", "--no-such-option");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--no-such-option'")
                .contains("Possible solutions: --no-pcap");
    }
}
