package dev.ums.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.testing.LocalPostgres.StopMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The private server keeps its port and its committed data across every kind of stop. */
class LocalPostgresTest {

  @Test
  void keeps_port_and_committed_rows_across_fast_immediate_and_kill_stops() throws Exception {
    Path dir;
    try (LocalPostgres pg = LocalPostgres.start("selftest")) {
      dir = pg.log().getParent();
      int port = pg.port();
      execute(pg, "CREATE TABLE t (n int)");
      int n = 0;
      for (StopMode mode : StopMode.values()) {
        execute(pg, "INSERT INTO t VALUES (" + ++n + ")");
        pg.stop(mode);
        assertThat(LocalPostgres.accepts(port)).as("port closed after %s", mode).isFalse();
        assertThatThrownBy(() -> pg.connect("postgres").close()).isInstanceOf(SQLException.class);
        pg.start();
        assertThat(pg.port()).isEqualTo(port);
        assertThat(count(pg)).as("rows after %s stop", mode).isEqualTo(n);
      }
    }
    assertThat(Files.exists(dir)).as("data directory removed").isFalse();
  }

  private static void execute(LocalPostgres pg, String sql) throws SQLException {
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static int count(LocalPostgres pg) throws SQLException {
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
