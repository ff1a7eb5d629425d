package dev.ums.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh databases on the benchmark's PostgreSQL server (trust auth, no password by default). */
final class Postgres {

  private final String server;
  private final String user;
  private final String password;

  Postgres(String server, String user, String password) {
    this.server = server;
    this.user = user;
    this.password = password;
  }

  /** Creates {@code prefix_<random>} and returns its name. */
  String create(String prefix) {
    String db = prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    admin("CREATE DATABASE " + db);
    return db;
  }

  void drop(String db) {
    admin("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  }

  String url(String db) {
    return "jdbc:postgresql://" + server + "/" + db + "?reWriteBatchedInserts=true";
  }

  String user() {
    return user;
  }

  Connection connect(String db) throws SQLException {
    return DriverManager.getConnection(url(db), user, password);
  }

  /** A HikariCP pool on {@code db} of at most {@code size} connections (the peers' DataSource). */
  HikariDataSource pool(String db, int size, String name) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url(db));
    c.setUsername(user);
    c.setPassword(password);
    c.setMaximumPoolSize(size);
    c.setPoolName(name);
    return new HikariDataSource(c);
  }

  String version() {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement();
        var rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return "PostgreSQL " + rs.getString(1);
    } catch (SQLException e) {
      return "PostgreSQL (unknown: " + e.getMessage() + ")";
    }
  }

  private void admin(String sql) {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "The benchmark needs PostgreSQL at " + server + " (user " + user + "): " + e, e);
    }
  }
}
