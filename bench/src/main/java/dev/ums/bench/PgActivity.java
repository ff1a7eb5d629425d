package dev.ums.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One database's cumulative activity from {@code pg_stat_database}: transactions (committed and
 * rolled back) and rows inserted, updated and deleted. Counters are flushed by each backend at
 * transaction end (at most once a second) and at disconnect, so a delta is exact once the measured
 * processes have closed their connections.
 */
record PgActivity(long commits, long rollbacks, long inserted, long updated, long deleted) {

  /** The counters of {@code db} now; the snapshot is read fresh (one transaction of its own). */
  static PgActivity of(Postgres pg, String db) throws SQLException {
    try (Connection c = pg.connect("postgres")) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_stat_clear_snapshot()");
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted"
                  + " FROM pg_stat_database WHERE datname = ?")) {
        ps.setString(1, db);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException("no pg_stat_database row for " + db);
          }
          return new PgActivity(
              rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
        }
      }
    }
  }

  /** What happened between {@code before} and this snapshot. */
  PgActivity minus(PgActivity before) {
    return new PgActivity(
        commits - before.commits,
        rollbacks - before.rollbacks,
        inserted - before.inserted,
        updated - before.updated,
        deleted - before.deleted);
  }

  long transactions() {
    return commits + rollbacks;
  }

  long rowsWritten() {
    return inserted + updated + deleted;
  }

  /**
   * Rows inserted + updated + deleted per table of {@code db} so far ({@code pg_stat_user_tables};
   * read on a connection to {@code db}, which counts one transaction there).
   */
  static java.util.Map<String, Long> writesByTable(Postgres pg, String db) throws SQLException {
    java.util.Map<String, Long> writes = new java.util.TreeMap<>();
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")) {
        while (rs.next()) {
          writes.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return writes;
  }

  /** Whether {@code pg_stat_statements} is loaded on the server (it needs a preload). */
  static boolean statementsAvailable(Postgres pg) {
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW shared_preload_libraries")) {
      return rs.next() && rs.getString(1).contains("pg_stat_statements");
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * CPU time used so far by the PostgreSQL server on this machine, in milliseconds: user + system
   * time of every live {@code postgres} process, plus the time of the children each has reaped (a
   * backend that exits adds its time to the postmaster's). Linux only; counts every database of the
   * server, so it is a per-scenario figure only on an otherwise idle server. -1 when /proc cannot
   * be read.
   *
   * @param postmaster the server to count (its postmaster's process id and that process's
   *     children), or -1 for every {@code postgres} process of the machine
   */
  static long serverCpuMillis(long postmaster) {
    java.util.Set<Long> only = null;
    if (postmaster > 0) {
      only = new java.util.HashSet<>();
      only.add(postmaster);
      ProcessHandle.of(postmaster)
          .map(ProcessHandle::descendants)
          .orElseGet(java.util.stream.Stream::empty)
          .map(ProcessHandle::pid)
          .forEach(only::add);
    }
    long ticks = 0;
    java.io.File[] procs = new java.io.File("/proc").listFiles();
    if (procs == null) {
      return -1;
    }
    for (java.io.File p : procs) {
      if (!p.getName().chars().allMatch(Character::isDigit)) {
        continue;
      }
      if (only != null && !only.contains(Long.parseLong(p.getName()))) {
        continue;
      }
      try {
        String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < 0 || !stat.substring(open + 1, close).equals("postgres")) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        // After the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
        ticks +=
            Long.parseLong(f[11])
                + Long.parseLong(f[12])
                + Long.parseLong(f[13])
                + Long.parseLong(f[14]);
      } catch (java.io.IOException | RuntimeException e) {
        // a process that exited while being read
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  }
}
