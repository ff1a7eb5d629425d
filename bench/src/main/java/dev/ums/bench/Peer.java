package dev.ums.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * A library that could stand in for UMS's dispatcher, set up against its own fresh PostgreSQL
 * database and the sink: {@link #enqueue} writes the backlog (not timed), {@link #drain} sends it.
 * One instance per run.
 */
interface Peer extends AutoCloseable {

  /** Queues {@code n} emails, each with its own Message-ID; nothing is sent yet. */
  void enqueue(int n) throws Exception;

  /** Sends the queued emails; true once all {@code n} tasks completed, false on timeout. */
  boolean drain(int n, long timeoutMillis) throws Exception;

  /** How the library was tuned, for the report's note. */
  String tuning();

  @Override
  void close() throws Exception;

  /** The version in a jar's {@code META-INF/maven/<group>/<artifact>/pom.properties}. */
  static String version(String group, String artifact) {
    String path = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Peer.class.getResourceAsStream(path)) {
      if (in == null) {
        return "?";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }
}
