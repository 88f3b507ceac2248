package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One temporary directory per JVM under which every fixture puts its files (process output,
 * generated keys, nginx prefixes, captures).
 *
 * <p>The directory is deleted when the JVM exits, unless the system property
 * {@code plainsight.keepTestFiles} is {@code true}, in which case its path is printed so a failed
 * run can be inspected. Nothing is deleted earlier: a fixture's {@code close()} leaves its files in
 * place for the test that still needs them.
 */
public final class TestFiles {

    private static final Path ROOT = createRoot();

    private TestFiles() {
    }

    /** The per-JVM root directory. */
    public static Path root() {
        return ROOT;
    }

    /** Creates a fresh directory under {@link #root()} whose name starts with {@code prefix}. */
    public static Path newDir(String prefix) {
        try {
            return Files.createTempDirectory(ROOT, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir under " + ROOT, e);
        }
    }

    private static Path createRoot() {
        try {
            Path root = Files.createTempDirectory("plainsight-tests-");
            if (Boolean.getBoolean("plainsight.keepTestFiles")) {
                System.err.println("plainsight test files kept in " + root);
            } else {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root),
                        "delete-" + root.getFileName()));
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test temp dir", e);
        }
    }

    /** Deletes a directory tree, ignoring errors (used for cleanup only). */
    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // best effort
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException ignored) {
                        // best effort
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
