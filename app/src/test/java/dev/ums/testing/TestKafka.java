package dev.ums.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

/**
 * The Kafka broker of the test JVM: {@code UMS_TEST_KAFKA} (host:port, as {@code .ci/run} exports
 * it) when set, otherwise a broker of the project's own ({@code ops/kafka/kafka.sh}) started once
 * on port {@value #OWN_PORT} with its data under {@code target/}, and stopped when the JVM exits. A
 * broker that cannot be started fails the tests that need it: they are never skipped.
 */
public final class TestKafka {

  static final int OWN_PORT = 19392;
  private static String bootstrap;

  private TestKafka() {}

  /** The broker's bootstrap address, starting the project's own broker on first use if needed. */
  public static synchronized String bootstrap() {
    if (bootstrap != null) {
      return bootstrap;
    }
    String configured = System.getenv("UMS_TEST_KAFKA");
    if (configured != null && !configured.isBlank()) {
      bootstrap = configured.trim();
      return bootstrap;
    }
    String own = "127.0.0.1:" + OWN_PORT;
    if (!answers(OWN_PORT)) {
      script("start");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> script("stop")));
    }
    bootstrap = own;
    return bootstrap;
  }

  private static void script(String command) {
    Path root = Path.of("").toAbsolutePath();
    Path script = root.resolve("ops/kafka/kafka.sh");
    if (!script.toFile().exists()) {
      script = root.getParent().resolve("ops/kafka/kafka.sh"); // run from the app module
    }
    ProcessBuilder pb =
        new ProcessBuilder(script.toString(), command)
            .redirectErrorStream(true)
            .redirectOutput(new File("target/test-kafka.log"));
    pb.environment().put("KAFKA_PORT", String.valueOf(OWN_PORT));
    pb.environment().put("KAFKA_DATA", Path.of("target/test-kafka").toAbsolutePath().toString());
    try {
      int rc = pb.start().waitFor();
      if (rc != 0 && command.equals("start")) {
        throw new IllegalStateException(
            "ops/kafka/kafka.sh start failed (exit " + rc + "); see target/test-kafka.log");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Kafka", e);
    }
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
