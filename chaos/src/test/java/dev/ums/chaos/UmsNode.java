package dev.ums.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One UMS instance: {@code app/target/ums.jar} in its own JVM ({@code -Xmx256m}) on a fixed HTTP
 * port that it keeps across restarts, logging to its own file (appended on restart).
 */
final class UmsNode implements AutoCloseable {

  /** The ADMIN key every node is started with; the harness authenticates with it. */
  static final String ADMIN_KEY = "ums_chaos_admin_key_0123456789abcdef";

  private static final Duration READY_WAIT = Duration.ofSeconds(120);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final List<String> command;
  private final Path log;
  private final int port;
  private Process process;

  UmsNode(String name, Path jar, Path log, List<String> args) throws IOException {
    this.name = name;
    this.log = log;
    this.port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // faster start-up on a small machine
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add("--server.port=" + port);
    cmd.add("--ums.dispatch.instance-id=" + name);
    cmd.addAll(args);
    this.command = List.copyOf(cmd);
  }

  /** Starts the process (appending to its log) without waiting. */
  synchronized UmsNode launch() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return this;
  }

  /** Waits until {@code /actuator/health/readiness} answers 200. */
  UmsNode awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    HttpRequest probe =
        HttpRequest.newBuilder(base().resolve("/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (!p.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + p.exitValue() + " during start; see " + log);
      }
      try {
        if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready within " + READY_WAIT + "; see " + log);
  }

  /** SIGKILL: the process dies at once, with whatever it had claimed or in flight. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM and wait for the graceful shutdown; false if it had to be killed after the wait. */
  boolean sigterm(Duration wait) throws InterruptedException {
    process.destroy();
    if (process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    kill9();
    return false;
  }

  /** Starts the process again with the same arguments and port, and waits until ready. */
  UmsNode restart() throws IOException, InterruptedException {
    return launch().awaitReady();
  }

  /**
   * A counter's value from {@code /actuator/prometheus} (its first sample), or -1 if the counter is
   * absent; throws if the endpoint does not answer 200.
   */
  double counter(String prometheusName) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(base().resolve("/actuator/prometheus"))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Accept", "text/plain")
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          name + ": /actuator/prometheus answered " + r.statusCode() + "; see " + log);
    }
    for (String line : r.body().split("\n")) {
      if (line.startsWith(prometheusName + " ") || line.startsWith(prometheusName + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  /**
   * The status ({@code UP}, {@code DOWN}, ...) of one component of {@code /actuator/health}, null
   * when the answer does not list it; throws if the endpoint does not answer.
   */
  String health(String component) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(base().resolve("/actuator/health"))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m =
        Pattern.compile(
                "\"" + Pattern.quote(component) + "\"\\s*:\\s*\\{\\s*\"status\"\\s*:\\s*\"(\\w+)\"")
            .matcher(r.body());
    return m.find() ? m.group(1) : null;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  String name() {
    return name;
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    if (alive()) {
      sigterm(Duration.ofSeconds(30));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
