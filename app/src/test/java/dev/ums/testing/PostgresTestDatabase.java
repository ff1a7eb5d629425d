package dev.ums.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Gives each test run its own PostgreSQL databases on the real server and drops them at the end, so
 * runs never collide. Server: {@code UMS_TEST_PG} (default {@code 127.0.0.1:5432}), user {@code
 * UMS_TEST_PG_USER} (default postgres, trust auth). When nothing accepts connections there, the run
 * starts a private server ({@link LocalPostgres}, user postgres, trust auth) and stops it at the
 * end, so the tests run on a machine without PostgreSQL too. Tests see the database through {@code
 * spring.datasource.*} system properties.
 */
public class PostgresTestDatabase implements LauncherSessionListener {

  private static final String CONFIGURED = env("UMS_TEST_PG", "127.0.0.1:5432");
  private static final String PASSWORD = env("UMS_TEST_PG_PASSWORD", "");
  private static String server = CONFIGURED;
  private static String user = env("UMS_TEST_PG_USER", "postgres");
  private static LocalPostgres local;
  private static String name;
  private static String dispatchName;

  /** System property with the URL of the second database, used by dispatch contexts. */
  public static final String DISPATCH_URL = "ums.test.dispatch-datasource-url";

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    if (name != null) {
      return;
    }
    if (!answers(CONFIGURED)) {
      startLocal();
    }
    name = create("ums_test");
    // Contexts with a running dispatcher get a database of their own, so they never deliver rows
    // that intake-only test classes left behind.
    dispatchName = create("ums_test_dispatch");
    System.setProperty("spring.datasource.url", url(name));
    System.setProperty(DISPATCH_URL, url(dispatchName));
    System.setProperty("spring.datasource.username", user);
    System.setProperty("spring.datasource.password", PASSWORD);
    // Cached test contexts stay open for the whole run; without this each would hold a full pool
    // of idle connections, and a few of them exhaust a shared server's max_connections.
    System.setProperty("spring.datasource.hikari.minimum-idle", "1");
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (name != null) {
      drop(name);
      drop(dispatchName);
      name = null;
    }
    if (local != null) {
      local.close();
      local = null;
    }
  }

  private static void startLocal() {
    try {
      local = LocalPostgres.start("test");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Nothing answers at " + CONFIGURED + " and a private PostgreSQL did not start", e);
    }
    server = local.server();
    user = local.user();
    System.err.println(
        "PostgresTestDatabase: nothing answers at "
            + CONFIGURED
            + "; using a private PostgreSQL at "
            + server);
  }

  /** Whether something accepts TCP connections at {@code host:port}. */
  static boolean answers(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
    return LocalPostgres.accepts(host, port);
  }

  /** A new empty database named {@code prefix_<random>}. */
  public static String create(String prefix) {
    String db = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    admin("CREATE DATABASE " + db);
    return db;
  }

  public static void drop(String db) {
    admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  }

  /** JDBC URL of a database on the test server, with batched inserts rewritten. */
  public static String url(String db) {
    return "jdbc:postgresql://" + server + "/" + db + "?reWriteBatchedInserts=true";
  }

  public static String user() {
    return user;
  }

  private static void admin(String sql) {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + server + "/postgres", user, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Tests need PostgreSQL at " + server + " (user " + user + "): " + e.getMessage(), e);
    }
  }

  private static String env(String key, String dflt) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? dflt : v;
  }
}
