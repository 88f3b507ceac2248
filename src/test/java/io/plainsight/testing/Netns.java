package io.plainsight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * Linux network namespaces created for one test, joined by veth pairs: a private network in which
 * a test may add addresses, routes, sysctls and iptables rules without touching the machine's own
 * (root) namespace.
 *
 * <p>Names are unique per JVM and test ({@code pst-PID-N-ROLE}). {@link #close()} deletes every
 * namespace (which deletes the veth ends and rules in it, and ends what still runs only inside it
 * when its last process exits) and the {@code /etc/netns/NAME} directories written by
 * {@link Namespace#hosts}; a JVM shutdown hook does the same for a test that never reached its
 * close, and namespaces left behind by a JVM that was killed are deleted the next time a set is
 * created (their PID is no longer running).
 *
 * <pre>{@code
 * Netns.assumeAvailable();
 * try (Netns net = Netns.create("client", "server")) {
 *     net.link(net.ns("client"), "c0", List.of("10.9.0.2/24"), net.ns("server"), "s0", List.of("10.9.0.1/24"));
 *     net.ns("client").run("ping", "-c1", "10.9.0.1");
 * }
 * }</pre>
 */
public final class Netns implements AutoCloseable {
    private static final String PREFIX = "pst-";
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger SETS = new AtomicInteger();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static volatile boolean staleRemoved;

    private final Map<String, Namespace> byRole = new LinkedHashMap<>();
    private final Thread hook;
    private boolean closed;

    private Netns(String base, String... roles) {
        this.hook = new Thread(this::deleteAll, "delete-" + base);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (String role : roles) {
                Namespace ns = new Namespace(base + role);
                ExternalProcess.Result r = ip("netns", "add", ns.name);
                if (r.exitCode() != 0) {
                    throw new AssertionError("ip netns add " + ns.name + " failed: " + r.stderr().strip());
                }
                byRole.put(role, ns);
                ns.run("ip", "link", "set", "lo", "up");
            }
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /**
     * Skips the calling test (a JUnit assumption) when this machine cannot create network
     * namespaces (no {@code ip}, not root, or a kernel or container that forbids them), with a
     * message saying so.
     */
    public static void assumeAvailable() {
        if (ExternalProcess.findTool("ip").isEmpty()) {
            ExternalProcess.requireTool("ip"); // skips, or fails in CI: .ci/run installs iproute2
        }
        String probe = PREFIX + PID + "-probe";
        ExternalProcess.Result r = ip("netns", "add", probe);
        if (r.exitCode() != 0) {
            Assumptions.abort("network namespaces are not available here (ip netns add: " + r.stderr().strip()
                    + "); the transparent-mode tests need root in a kernel that allows them");
        }
        ip("netns", "delete", probe);
    }

    /** Creates one namespace per role, each with its loopback interface up. */
    public static Netns create(String... roles) {
        removeStale();
        return new Netns(PREFIX + PID + "-" + SETS.incrementAndGet() + "-", roles);
    }

    /** The namespace created for {@code role}. */
    public Namespace ns(String role) {
        Namespace ns = byRole.get(role);
        if (ns == null) {
            throw new IllegalArgumentException("no namespace for role " + role + " (have " + byRole.keySet() + ")");
        }
        return ns;
    }

    /**
     * Joins two namespaces with a veth pair ({@code ifA} in {@code a}, {@code ifB} in {@code b}; names
     * of at most 15 characters), both up, with the given addresses ({@code "10.0.0.1/24"},
     * {@code "fd00::1/64"}; IPv6 addresses skip duplicate address detection so they work at once).
     */
    public void link(Namespace a, String ifA, List<String> addrsA, Namespace b, String ifB, List<String> addrsB) {
        ExternalProcess.Result r = ip("link", "add", ifA, "netns", a.name, "type", "veth", "peer", "name", ifB, "netns", b.name);
        if (r.exitCode() != 0) {
            throw new AssertionError("cannot create veth pair " + ifA + "@" + a.name + " - " + ifB + "@" + b.name + ": "
                    + r.stderr().strip());
        }
        for (String addr : addrsA) {
            a.addAddress(ifA, addr);
        }
        for (String addr : addrsB) {
            b.addAddress(ifB, addr);
        }
        a.run("ip", "link", "set", ifA, "up");
        b.run("ip", "link", "set", ifB, "up");
    }

    /** Deletes every namespace of this set; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (harmlessly, again) anyway
        }
    }

    private void deleteAll() {
        for (Namespace ns : byRole.values()) {
            delete(ns.name);
        }
    }

    private static void delete(String name) {
        ip("netns", "delete", name);
        TestFiles.deleteQuietly(Path.of("/etc/netns", name));
    }

    /** Deletes namespaces (and /etc/netns directories) named for a JVM that no longer runs. */
    private static synchronized void removeStale() {
        if (staleRemoved) {
            return;
        }
        staleRemoved = true;
        List<String> names = new ArrayList<>();
        ExternalProcess.Result r = ip("netns", "list");
        if (r.exitCode() == 0) {
            for (String line : r.stdout().split("\n")) {
                String name = line.strip().split("\\s+")[0];
                names.add(name);
            }
        }
        try (var dirs = Files.list(Path.of("/etc/netns"))) {
            dirs.forEach(d -> names.add(d.getFileName().toString()));
        } catch (IOException e) {
            // no /etc/netns: nothing left behind there
        }
        for (String name : names) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String pid = name.substring(PREFIX.length()).split("-")[0];
            try {
                if (ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
            } catch (NumberFormatException e) {
                continue;
            }
            delete(name);
        }
    }

    private static ExternalProcess.Result ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ExternalProcess.findTool("ip").map(Path::toString).orElse("ip"));
        cmd.addAll(List.of(args));
        try (ExternalProcess p = ExternalProcess.builder(cmd).start()) {
            return p.waitFor(COMMAND_TIMEOUT);
        }
    }

    /** One namespace: commands run in it with {@code ip netns exec NAME}. */
    public static final class Namespace {
        private final String name;

        private Namespace(String name) {
            this.name = name;
        }

        /** The namespace's name (as {@code ip netns list} shows it). */
        public String name() {
            return name;
        }

        /** {@code ip netns exec NAME} + {@code command}, for {@link ExternalProcess#builder(List)}. */
        public List<String> command(String... command) {
            return command(List.of(command));
        }

        /** {@code ip netns exec NAME} + {@code command}. */
        public List<String> command(List<String> command) {
            List<String> cmd = new ArrayList<>(List.of(ExternalProcess.findTool("ip").map(Path::toString).orElse("ip"),
                    "netns", "exec", name));
            cmd.addAll(command);
            return cmd;
        }

        /** Runs a command in this namespace and returns its result, whatever the exit code. */
        public ExternalProcess.Result exec(String... command) {
            try (ExternalProcess p = ExternalProcess.builder(command(command)).start()) {
                return p.waitFor(COMMAND_TIMEOUT);
            }
        }

        /** Runs a command in this namespace; fails (AssertionError with its stderr) unless it exits 0. */
        public ExternalProcess.Result run(String... command) {
            return exec(command).assertSuccess();
        }

        /** Starts a long-running command in this namespace. */
        public ExternalProcess start(List<String> command) {
            return ExternalProcess.builder(command(command)).start();
        }

        /** Adds an address to an interface ({@code "10.0.0.1/24"}, {@code "fd00::1/64"}). */
        public void addAddress(String ifname, String cidr) {
            if (cidr.contains(":")) {
                run("ip", "addr", "add", cidr, "dev", ifname, "nodad");
            } else {
                run("ip", "addr", "add", cidr, "dev", ifname);
            }
        }

        /** Sets a (namespaced) sysctl, e.g. {@code net.ipv4.ip_forward=1}. */
        public void sysctl(String key, String value) {
            run("sysctl", "-q", "-w", key + "=" + value);
        }

        /**
         * Writes {@code /etc/netns/NAME/hosts}, which {@code ip netns exec} mounts over /etc/hosts for
         * the programs it starts from then on (so name resolution inside this namespace can differ
         * from the machine's). Deleted with the namespace.
         */
        public void hosts(String content) {
            Path dir = Path.of("/etc/netns", name);
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("hosts"), content);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dir.resolve("hosts"), e);
            }
        }

        /** Whether something in this namespace accepts TCP connections on {@code ip:port} right now. */
        public boolean accepting(String ip, int port) {
            // bash's /dev/tcp: a connect and nothing else, from inside the namespace
            return exec("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port).exitCode() == 0;
        }

        /** Polls until {@code ip:port} accepts connections in this namespace; false if the timeout passes first. */
        public boolean awaitAccepting(String ip, int port, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (accepting(ip, port)) {
                    return true;
                }
                ExternalProcess.sleep(50);
            }
            return accepting(ip, port);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
