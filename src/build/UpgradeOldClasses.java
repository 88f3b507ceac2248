import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Build step (package phase, after the shade plugin; run by the JDK toolchain's {@code java} in
 * source-file mode): rewrites the classes of the shaded jar under the given package prefixes whose
 * class file version is older than Java 6 (picocli's are Java 5, version 49) to version 52 with
 * stack maps, code otherwise unchanged. Only the packages named: the rewritten code is checked by
 * the ClassFile API's verifier and by the tests that run the jar, which start through picocli.
 *
 * <p>Why: the JVM's class-data-sharing archive, which {@code decrypt} keeps (see the launcher),
 * cannot hold old classes once they are linked, so every run parsed picocli's 140 classes from the
 * jar and verified them with the old type-inferring verifier: 135-175 ms before a decrypt run reads
 * its key log. Rewritten, they are archived (start-up of a small capture 0.38 -> 0.31 s wall), and
 * every command verifies them with the faster split verifier.
 *
 * <p>Needs the ClassFile API (JDK 24+): an older toolchain cannot compile this file, the step
 * then fails with exit code 1 (allowed by the pom) and the jar stays as the shade plugin wrote it.
 * The jar is changed only when every old class was rewritten (a copy is rewritten, then moved over
 * the jar); any failure leaves it untouched and exits 2, which fails the build.
 *
 * <p>Usage: {@code java src/build/UpgradeOldClasses.java target/plainsight.jar picocli/ [PREFIX...]}
 */
public final class UpgradeOldClasses {
    private static final int JAVA_6 = 50;
    private static final int TARGET = 52; // Java 8: no module or nest attributes needed

    public static void main(String[] args) {
        Path jar = Path.of(args[0]);
        List<String> prefixes = List.of(args).subList(1, args.length);
        try {
            int n = upgrade(jar, prefixes);
            System.out.println("[upgrade-old-classes] " + jar + " (JDK " + Runtime.version().feature() + "): " + n + " classes of " + prefixes
                    + " older than Java 6 rewritten to version " + TARGET);
        } catch (Exception | LinkageError e) {
            System.err.println("[upgrade-old-classes] " + jar + " left as it was: " + e);
            System.exit(2);
        }
    }

    static int upgrade(Path jar, List<String> prefixes) throws IOException {
        Path copy = jar.resolveSibling(jar.getFileName() + ".upgrading");
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        int n = 0;
        try {
            try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + copy.toUri()), Map.of())) {
                Map<String, byte[]> old = new HashMap<>();
                Map<String, byte[]> all = new HashMap<>();
                List<Path> classes;
                try (Stream<Path> walk = Files.walk(zip.getPath("/"))) {
                    classes = walk.filter(p -> p.toString().endsWith(".class") && !p.toString().startsWith("/META-INF/")).toList();
                }
                for (Path p : classes) {
                    byte[] b = Files.readAllBytes(p);
                    String name = p.toString().substring(1, p.toString().length() - ".class".length());
                    all.put(name, b);
                    int major = ((b[6] & 0xff) << 8) | (b[7] & 0xff);
                    if (major < JAVA_6 && prefixes.stream().anyMatch(name::startsWith)) {
                        old.put(name, b);
                    }
                }
                // the verifier's type hierarchy: the jar's own classes first, then the JDK's
                ClassHierarchyResolver fromJar = ClassHierarchyResolver.ofResourceParsing(desc -> {
                    String d = desc.descriptorString();
                    byte[] b = all.get(d.substring(1, d.length() - 1));
                    return b == null ? null : new ByteArrayInputStream(b);
                });
                ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                        fromJar.orElse(ClassHierarchyResolver.defaultResolver())), ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
                ClassTransform rewrite = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                        .andThen(ClassTransform.endHandler(b -> b.withVersion(TARGET, 0)));
                for (Map.Entry<String, byte[]> e : old.entrySet()) {
                    ClassModel model = cf.parse(e.getValue());
                    byte[] upgraded = cf.transformClass(model, rewrite);
                    cf.verify(upgraded).stream().findFirst().ifPresent(problem -> {
                        throw new IllegalStateException(e.getKey() + " does not verify after the rewrite: " + problem);
                    });
                    Files.write(zip.getPath("/" + e.getKey() + ".class"), upgraded);
                    n++;
                }
            }
            if (n > 0) { // none: rewritten already (a jar the shade plugin shaded again), left as it is
                Files.move(copy, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return n;
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}
