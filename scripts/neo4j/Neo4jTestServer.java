// Starts a real, in-process Neo4j 5.26 (community) server for tests and CI.
//
// Launched as a single-file source program (no build step):
//   NEO4J_PASSWORD=... java -Xmx1g -cp '<libdir>/*' scripts/neo4j/Neo4jTestServer.java --port 7687
// where <libdir> holds the jars that scripts/neo4j/pom.xml resolves
// (scripts/neo4j/neo4j-server.sh does all of this for you).
//
// Options:
//   --port N         Bolt port on 127.0.0.1 (required)
//   --http-port N    also enable the HTTP connector on 127.0.0.1:N (default: HTTP disabled)
//   --work-dir DIR   parent directory for the server's data (default: a fresh temp dir,
//                    deleted on shutdown)
//   --page-cache S   page cache size, e.g. 256m (default 256m)
//   --data-dir DIR   the databases and transaction logs (server.directories.data) live here
//                    instead of under the work dir: how the server opens a store written by
//                    `neo4j-admin database import` (scripts/neo4j/neo4j-server.sh import)
//   --watch-stdin    shut down when standard input is closed
//
// The password of the `neo4j` user is read from the NEO4J_PASSWORD environment variable;
// there is no default. Auth is enabled. APOC is not used. The server prints one line
// "READY bolt://127.0.0.1:<port>" once Bolt accepts connections with that password,
// and shuts down cleanly on SIGTERM/SIGINT (and on stdin EOF with --watch-stdin).

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;

public class Neo4jTestServer {

    private static final String HOST = "127.0.0.1";

    /** Procedures the server loads (dbms.security.procedures.allowlist); keep in step with
     *  READ_ONLY_PROCEDURES in graph/neo4j/console.py and docker-compose.yml. */
    static final List<String> PROCEDURE_ALLOWLIST = List.of(
            "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.*",
            "db.index.fulltext.*", "db.awaitIndexes", "db.awaitIndex", "dbms.components");

    public static void main(String[] args) throws Exception {
        int port = -1;
        int httpPort = -1;
        Path workDir = null;
        String pageCache = "256m";
        boolean watchStdin = false;
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--http-port" -> httpPort = Integer.parseInt(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--page-cache" -> pageCache = args[++i];
                case "--watch-stdin" -> watchStdin = true;
                case "--data-dir" -> dataDir = Path.of(args[++i]).toAbsolutePath();
                default -> die("unknown argument: " + args[i]);
            }
        }
        if (port <= 0) {
            die("--port is required");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            die("NEO4J_PASSWORD is not set; refusing to start without an explicit password");
        }
        if (password.length() < 8) {
            die("NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum)");
        }

        boolean ownWorkDir = workDir == null;
        Path dir = ownWorkDir ? Files.createTempDirectory("intersections-neo4j-") : Files.createDirectories(workDir);

        long t0 = System.nanoTime();
        var builder = Neo4jBuilders.newInProcessBuilder(dir)
                .withConfig(GraphDatabaseSettings.auth_enabled, true)
                .withConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pageCache))
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .withConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .withConfig(HttpsConnector.enabled, false)
                // The same lock as production (README "Neo4j server settings"): no LOAD CSV from
                // server files or from any network address, and only the read-only schema
                // procedures the Cypher console allows may be called at all.
                .withConfig(GraphDatabaseSettings.allow_file_urls, false)
                .withConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist,
                        List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0")))
                .withConfig(GraphDatabaseSettings.procedure_allowlist, PROCEDURE_ALLOWLIST);
        if (dataDir != null) {
            builder = builder.withConfig(GraphDatabaseSettings.data_directory, dataDir);
        }
        if (httpPort > 0) {
            builder = builder
                    .withConfig(HttpConnector.enabled, true)
                    .withConfig(HttpConnector.listen_address, new SocketAddress(HOST, httpPort))
                    .withConfig(HttpConnector.advertised_address, new SocketAddress(HOST, httpPort));
        } else {
            builder = builder.withDisabledServer();
        }

        final Neo4j neo4j = builder.build();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            System.out.flush();
            try {
                neo4j.close();
            } catch (Throwable t) {
                System.err.println("error while stopping Neo4j: " + t);
            }
            if (ownWorkDir) {
                deleteRecursively(dir);
            }
            System.out.println("STOPPED");
            System.out.flush();
            stopped.countDown();
        }, "neo4j-shutdown"));

        // Community edition: the system database is reachable in-process without auth,
        // so the initial password can be set here and marked as not needing a change.
        neo4j.databaseManagementService()
                .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                .executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", password));

        waitForPort(HOST, port, Duration.ofSeconds(60));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("Neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion()
                + " started in " + ms + " ms; data under " + dir
                + (httpPort > 0 ? "; http://" + HOST + ":" + httpPort : "; HTTP disabled"));
        System.out.println("READY bolt://" + HOST + ":" + port);
        System.out.flush();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard input; EOF means our parent went away
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
                System.exit(0); // runs the shutdown hook
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }

    private static long parseBytes(String s) {
        String v = s.trim().toLowerCase();
        char unit = v.charAt(v.length() - 1);
        if (Character.isDigit(unit)) {
            return Long.parseLong(v);
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (unit) {
            case 'k' -> ByteUnit.kibiBytes(n);
            case 'm' -> ByteUnit.mebiBytes(n);
            case 'g' -> ByteUnit.gibiBytes(n);
            default -> throw new IllegalArgumentException("bad size: " + s);
        };
    }

    private static void waitForPort(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    die("Bolt did not accept connections on " + host + ":" + port + ": " + e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            if (!Files.exists(root)) {
                return;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    private static void die(String msg) {
        System.err.println("Neo4jTestServer: " + msg);
        System.exit(2);
    }
}
