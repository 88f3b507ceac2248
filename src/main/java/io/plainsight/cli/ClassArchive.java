package io.plainsight.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the class-data-sharing archive the launcher asks for (system property {@value #PROPERTY},
 * set with {@code -XX:+RecordDynamicDumpInfo}): the classes this run loaded, so that later runs
 * map them instead of loading and verifying them (see the launcher script).
 *
 * <p>The archive is dumped here, when the work is done, through the JVM's {@code VM.cds
 * dynamic_dump} diagnostic command, into a temporary file renamed into place: a run that cannot
 * write it (disk full, directory gone) only logs that at debug level, keeps its exit code and
 * leaves no half-written archive. (The JVM's own dump at exit, {@code -XX:ArchiveClassesAtExit},
 * turns such a failure into exit code 1 and "Error occurred during initialization of VM".) The
 * JDK prints a line about the dump on {@code System.out}, which may be a capture going to stdout,
 * so {@code System.out} is silenced meanwhile.
 */
final class ClassArchive {
    static final String PROPERTY = "plainsight.cds.archive";
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private ClassArchive() {}

    /** Writes the archive if the launcher asked for one; true if it was written. Never throws. */
    static boolean writeIfAsked() {
        String archive = System.getProperty(PROPERTY);
        if (archive == null || archive.isEmpty()) {
            return false;
        }
        Path target = Path.of(archive).toAbsolutePath();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        PrintStream out = System.out;
        try {
            System.out.flush();
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmCds", new Object[] {new String[] {"dynamic_dump", tmp.toString()}},
                    new String[] {String[].class.getName()});
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (Exception | LinkageError e) {
            log.debug("class-data-sharing archive {} not written: {}", target, e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (Exception ignored) {
                // nothing more to do
            }
            return false;
        } finally {
            System.setOut(out);
        }
    }
}
