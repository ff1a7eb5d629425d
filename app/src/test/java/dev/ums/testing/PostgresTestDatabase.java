package dev.ums.testing;

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
 * UMS_TEST_PG_USER} (default postgres, trust auth). Tests see it through {@code
 * spring.datasource.*} system properties.
 */
public class PostgresTestDatabase implements LauncherSessionListener {

  private static final String SERVER = env("UMS_TEST_PG", "127.0.0.1:5432");
  private static final String USER = env("UMS_TEST_PG_USER", "postgres");
  private static final String PASSWORD = env("UMS_TEST_PG_PASSWORD", "");
  private static String name;
  private static String dispatchName;

  /** System property with the URL of the second database, used by dispatch contexts. */
  public static final String DISPATCH_URL = "ums.test.dispatch-datasource-url";

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    if (name != null) {
      return;
    }
    name = create("ums_test");
    // Contexts with a running dispatcher get a database of their own, so they never deliver rows
    // that intake-only test classes left behind.
    dispatchName = create("ums_test_dispatch");
    System.setProperty("spring.datasource.url", url(name));
    System.setProperty(DISPATCH_URL, url(dispatchName));
    System.setProperty("spring.datasource.username", USER);
    System.setProperty("spring.datasource.password", PASSWORD);
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (name != null) {
      drop(name);
      drop(dispatchName);
      name = null;
    }
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
    return "jdbc:postgresql://" + SERVER + "/" + db + "?reWriteBatchedInserts=true";
  }

  public static String user() {
    return USER;
  }

  private static void admin(String sql) {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + SERVER + "/postgres", USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Tests need PostgreSQL at " + SERVER + " (user " + USER + "): " + e.getMessage(), e);
    }
  }

  private static String env(String key, String dflt) {
    String v = System.getenv(key);
    return v == null || v.isBlank() ? dflt : v;
  }
}
