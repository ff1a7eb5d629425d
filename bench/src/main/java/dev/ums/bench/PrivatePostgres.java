package dev.ums.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The harness's own PostgreSQL server ({@code -Dbench.privatePg=true}), for measures the shared
 * server cannot give without a restart: it preloads {@code pg_stat_statements} (tracking nested
 * statements too) and creates the extension in database {@code postgres}. A temporary data
 * directory, a free port on {@code 127.0.0.1}, trust authentication, superuser {@code postgres},
 * every other setting at {@code initdb}'s defaults. {@link #close()} (or a JVM shutdown hook) stops
 * it and deletes the directory.
 *
 * <p>Binaries: the newest Debian {@code /usr/lib/postgresql/N/bin} whose {@code lib} holds {@code
 * pg_stat_statements.so}. {@code initdb} and {@code postgres} refuse to run as root, so as root
 * they run through {@code runuser -u postgres --} on a directory that user owns (the approach of
 * the app's test {@code LocalPostgres}, kept to what the harness needs).
 */
final class PrivatePostgres implements AutoCloseable {

  private static final String USER = "postgres";

  private final Path base;
  private final Path data;
  private final Path bin;
  private final int port;
  private final Thread cleanup;
  private boolean running;

  private PrivatePostgres(Path base, Path bin, int port) {
    this.base = base;
    this.data = base.resolve("data");
    this.bin = bin;
    this.port = port;
    this.cleanup = new Thread(this::stopAndDelete, "bench-private-postgres-cleanup");
  }

  /** Initialises, starts and prepares a server; returns once the extension exists. */
  static PrivatePostgres start() throws IOException, SQLException {
    Path bin =
        debianBin()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "bench.privatePg needs /usr/lib/postgresql/N/bin (initdb, pg_ctl) with"
                            + " lib/pg_stat_statements.so"));
    Path base = Files.createTempDirectory("ums-bench-pg-");
    PrivatePostgres pg = new PrivatePostgres(base, bin, freePort());
    Runtime.getRuntime().addShutdownHook(pg.cleanup);
    try {
      pg.init();
      pg.startServer();
      try (Connection c = DriverManager.getConnection(pg.url(), USER, "");
          Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      }
    } catch (IOException | SQLException | RuntimeException e) {
      pg.printLogTail();
      pg.close();
      throw e;
    }
    return pg;
  }

  /** {@code 127.0.0.1:<port>}, the form of {@code bench.pg}. */
  String server() {
    return "127.0.0.1:" + port;
  }

  /** The postmaster's process id (its children are the server's other processes). */
  long pid() throws IOException {
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
  }

  private String url() {
    return "jdbc:postgresql://" + server() + "/postgres";
  }

  private void init() throws IOException {
    Files.createDirectories(data);
    Path log = log();
    Files.createFile(log);
    if (isRoot()) {
      run(List.of("chown", "-R", USER, base.toString()), null);
    }
    asUser(
        List.of(
            bin.resolve("initdb").toString(),
            "-A",
            "trust",
            "-U",
            USER,
            "-E",
            "UTF-8",
            "--no-locale",
            "--no-sync",
            "-D",
            data.toString()),
        log);
    Files.write(
        data.resolve("postgresql.conf"),
        List.of(
            "port = " + port,
            "listen_addresses = '127.0.0.1'",
            // The Unix socket lives in the instance's directory, never in a system one.
            "unix_socket_directories = '" + base + "'",
            "timezone = 'UTC'",
            "shared_preload_libraries = 'pg_stat_statements'",
            "pg_stat_statements.track = 'all'",
            // Statements with IN lists of every length are each an entry of their own.
            "pg_stat_statements.max = 20000"),
        StandardOpenOption.APPEND);
  }

  private void startServer() {
    asUser(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            log().toString(),
            "-w",
            "-t",
            "60",
            "start"),
        log());
    running = true;
  }

  private Path log() {
    return base.resolve("postgres.log");
  }

  /** The server's log is deleted with it: a start that failed shows its end first. */
  private void printLogTail() {
    try {
      List<String> lines = Files.readAllLines(log());
      lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(System.err::println);
    } catch (IOException | RuntimeException e) {
      // no log yet
    }
  }

  @Override
  public void close() {
    stopAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  private synchronized void stopAndDelete() {
    if (running) {
      try {
        asUser(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop"),
            null);
      } catch (RuntimeException e) {
        Bench.progress("private PostgreSQL did not stop: " + e.getMessage());
      }
      running = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (accepts(port) && System.nanoTime() < deadline) {
        pause();
      }
    }
    try (Stream<Path> paths = Files.exists(base) ? Files.walk(base) : Stream.empty()) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  private void asUser(List<String> cmd, Path log) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", USER, "--"));
    }
    full.addAll(cmd);
    run(full, log);
  }

  private static Optional<Path> debianBin() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
          .filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
          .filter(v -> Files.isRegularFile(v.resolve("lib/pg_stat_statements.so")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void run(List<String> cmd, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(
        log == null
            ? ProcessBuilder.Redirect.DISCARD
            : ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "exit "
                + p.exitValue()
                + ": "
                + String.join(" ", cmd)
                + (log == null ? "" : "; see " + log));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
