package dev.ums.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UMS launched from its executable jar as a separate JVM ({@code -Xmx256m}), exactly as in
 * production. Every instance gets {@code --ums.smtp.max-connections=32 --ums.dispatch.workers=32
 * --ums.dispatch.prefetch=32} ({@code -Dbench.prefetch}) unless the caller overrides them.
 */
final class UmsProcess implements AutoCloseable {

  private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee+]+)");

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private UmsProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts UMS and waits until {@code /actuator/health} answers 200.
   *
   * @param extra more {@code --key=value} arguments, applied last
   */
  /** The ADMIN key UMS is started with; the harness authenticates every call with it. */
  static final String ADMIN_KEY = "ums_bench_admin_key_0123456789abcdef";

  static UmsProcess start(
      Path jar, Postgres pg, String db, int smtpPort, boolean dispatch, Path log, String... extra)
      throws IOException, InterruptedException {
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            java,
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "--spring.datasource.url=" + pg.url(db),
            "--spring.datasource.username=" + pg.user(),
            "--ums.smtp.host=127.0.0.1",
            "--ums.smtp.port=" + smtpPort,
            "--server.port=" + port,
            "--ums.smtp.max-connections=32",
            "--ums.dispatch.workers=32",
            // One claimed row waiting per worker, so a worker never waits for a claim.
            "--ums.dispatch.prefetch=" + Integer.getInteger("bench.prefetch", 32),
            "--ums.dispatch.enabled=" + dispatch,
            "--management.endpoints.web.exposure.include=health,metrics",
            "--UMS_BOOTSTRAP_ADMIN_KEY=" + ADMIN_KEY,
            // The harness measures UMS itself, from one client at full speed.
            "--ums.ratelimit.enabled=false",
            "--spring.profiles.active=dev",
            "--ums.crypto.dev-keyset-path=" + log.getParent().resolve("bench-keyset.json")));
    cmd.addAll(List.of(extra));
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    UmsProcess ums = new UmsProcess(p, port, log);
    ums.awaitHealthy(Duration.ofSeconds(90));
    return ums;
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  long pid() {
    return process.pid();
  }

  /** Used heap in bytes (sum over heap pools), from the actuator; -1 if unavailable. */
  long heapUsed() {
    return metric("jvm.memory.used?tag=area:heap");
  }

  /** Resident set size in bytes from /proc; -1 if unavailable. */
  long rss() {
    return procStatus("VmRSS:");
  }

  /** Peak resident set size in bytes from /proc (VmHWM); -1 if unavailable. */
  long peakRss() {
    return procStatus("VmHWM:");
  }

  /**
   * One actuator metric's first value ({@code name?tag=k:v}); NaN if unavailable. The process must
   * expose {@code metrics} (it does).
   */
  double metricValue(String q) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base().resolve("/actuator/metrics/" + q))
                  .header("Authorization", "Bearer " + ADMIN_KEY)
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = VALUE.matcher(r.body());
      return r.statusCode() == 200 && m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  private long metric(String q) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base().resolve("/actuator/metrics/" + q))
                  .header("Authorization", "Bearer " + ADMIN_KEY)
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = VALUE.matcher(r.body());
      return r.statusCode() == 200 && m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private long procStatus(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "UMS exited with " + process.exitValue() + " during start; see " + log);
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(base().resolve("/actuator/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException("UMS did not become healthy in " + timeout + "; see " + log);
  }

  /** SIGTERM (graceful shutdown), then a kill after 40 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
