package dev.ums.chaos;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Kafka broker a scenario talks to: the shared one named by {@code UMS_TEST_KAFKA} ({@code
 * host:port}, started by {@code ops/kafka/kafka.sh} or {@code .ci/run}), or a broker of its own
 * started with {@code ops/kafka/kafka.sh} on free ports and its own data directory, which the
 * scenario may restart.
 */
final class KafkaBroker implements AutoCloseable {

  private static final Duration SCRIPT_WAIT = Duration.ofMinutes(4);

  private final String bootstrap;
  private final Path data;
  private final Path log;
  private final int port;

  private KafkaBroker(String bootstrap, Path data, Path log, int port) {
    this.bootstrap = bootstrap;
    this.data = data;
    this.log = log;
    this.port = port;
  }

  /**
   * {@code UMS_TEST_KAFKA}, checked to answer. Unset, the calling test is skipped — except under
   * {@code CI=true}, where a missing broker fails it: CI never skips the Kafka scenarios silently.
   */
  static String sharedBootstrap() {
    String bootstrap = System.getenv("UMS_TEST_KAFKA");
    if (bootstrap == null || bootstrap.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("UMS_TEST_KAFKA is not set under CI=true: .ci/run starts the broker and sets it");
      }
      Assumptions.abort(
          "UMS_TEST_KAFKA is not set: start a broker with ops/kafka/kafka.sh start and export"
              + " UMS_TEST_KAFKA=127.0.0.1:19092 to run the Kafka scenarios");
    }
    String host = bootstrap.substring(0, bootstrap.lastIndexOf(':'));
    int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    if (!answers(host, port)) {
      fail("UMS_TEST_KAFKA=" + bootstrap + " does not answer");
    }
    return bootstrap;
  }

  /**
   * A fresh broker of the scenario's own ({@code kafka.sh start}) on a free port pair, data under
   * {@code dir/kafka}, the script's output in {@code dir/kafka.sh.log}.
   */
  static KafkaBroker startOwn(Path dir) throws IOException, InterruptedException {
    int port = freePortPair();
    KafkaBroker broker =
        new KafkaBroker(
            "127.0.0.1:" + port, dir.resolve("kafka"), dir.resolve("kafka.sh.log"), port);
    broker.script("start");
    return broker;
  }

  String bootstrap() {
    return bootstrap;
  }

  /** {@code kafka.sh stop}: TERM, then KILL after the script's timeout. */
  void stop() throws IOException, InterruptedException {
    script("stop");
  }

  /**
   * {@code kafka.sh restart}: stops the broker if it runs, starts it again on the same data
   * (topics, records and committed offsets kept); returns once it is ready.
   */
  void restart() throws IOException, InterruptedException {
    script("restart");
  }

  @Override
  public void close() throws IOException, InterruptedException {
    script("stop");
  }

  private void script(String command) throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("ums.root", "..")).toAbsolutePath().normalize();
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(List.of("bash", root.resolve("ops/kafka/kafka.sh").toString(), command))
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("KAFKA_PORT", Integer.toString(port));
    pb.environment().put("KAFKA_DATA", data.toString());
    Process p = pb.start();
    if (!p.waitFor(SCRIPT_WAIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kafka.sh " + command + " did not finish; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "kafka.sh " + command + " exited with " + p.exitValue() + "; see " + log);
    }
  }

  private static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A free port whose successor (the controller's) is free too. */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      if (port < 65535 && !answers("127.0.0.1", port + 1)) {
        try (ServerSocket next = new ServerSocket(port + 1)) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IllegalStateException("no free pair of ports");
  }
}
