package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure side of {@link ClassArchive} (the launcher's end to end side is in LauncherIT): this
 * JVM runs without {@code -XX:+RecordDynamicDumpInfo}, so the JVM refuses the dump.
 */
class ClassArchiveTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty(ClassArchive.PROPERTY);
    }

    @Test
    void nothingWhenNotAsked() {
        assertThat(ClassArchive.writeIfAsked()).isFalse();
    }

    @Test
    void aDumpThatFailsLeavesNoFileAndGivesBackStdout() throws Exception {
        Path archive = tmp.resolve("a.jsa");
        System.setProperty(ClassArchive.PROPERTY, archive.toString());
        PrintStream out = System.out;
        assertThat(ClassArchive.writeIfAsked()).isFalse();
        assertThat(System.out).isSameAs(out);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aDirectoryThatIsGoneIsNoFailureEither() {
        System.setProperty(ClassArchive.PROPERTY, tmp.resolve("gone/a.jsa").toString());
        assertThat(ClassArchive.writeIfAsked()).isFalse();
    }
}
