package dev.ums.crypto;

import dev.ums.ledger.Ledger;
import dev.ums.message.MailContent;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves every message to the keyset's primary key after a rotation, so older keys can then leave
 * the keyset; with {@code reindex} it also recomputes the blind-index digests (after the index key
 * changed, or for rows written before the index existed, which are always filled in).
 *
 * <p>It walks {@code message} in id order, {@value #BATCH} rows at a time, and rewrites only rows
 * whose content or refused-recipients list was sealed with another key (or need digests). Each row
 * is written with a compare-and-set on the ciphertext it read: a row changed meanwhile (dispatch
 * recording refusals, retention dropping content) is read again and retried, and new writes are
 * sealed with the primary key anyway. Rows are committed one batch at a time, so a crash midway
 * loses nothing: running it again continues with what is left. The run ends with a count of rows
 * still under an older key, which must be 0 before an old key is dropped.
 *
 * <p>With {@code reindex}, the suppression entries of each re-digested message's client and
 * recipients that are still stored under a previous index key's digest are re-keyed to the current
 * key ({@link Suppressions#rekey}), one look-up per client and batch. Entries of addresses no
 * stored message names (or whose content retention dropped) are not reached here: they are re-keyed
 * when next looked up, as long as their key stays among the previous keys.
 */
public final class Reencryption {

  private static final Logger log = LoggerFactory.getLogger(Reencryption.class);
  static final int BATCH = 500;
  private static final int MAX_RACES = 3;
  private static final String ROWS =
      """
      SELECT id, client_id, content, refused_recipients,
             recipient_digests IS NOT NULL AS indexed,
             content_dropped_at IS NOT NULL AS dropped
        FROM message
      """;

  private final JdbcTemplate jdbc;
  private final Ledger ledger;
  private final ContentCipher cipher;
  private final RecipientIndex index;
  private final JsonMapper json;
  private final Suppressions suppressions;

  public Reencryption(
      JdbcTemplate jdbc,
      Ledger ledger,
      ContentCipher cipher,
      RecipientIndex index,
      JsonMapper json,
      Suppressions suppressions) {
    this.jdbc = jdbc;
    this.ledger = ledger;
    this.cipher = cipher;
    this.index = index;
    this.json = json;
    this.suppressions = suppressions;
  }

  /**
   * How far a run is.
   *
   * @param total messages in the table when the run started
   * @param scanned messages looked at so far
   * @param rewritten messages re-encrypted or re-indexed
   * @param remaining after the run: messages still sealed with a key other than the primary
   *     (negative while running)
   */
  public record Progress(long total, long scanned, long rewritten, long remaining) {}

  private record Row(
      UUID id,
      String clientId,
      byte[] content,
      byte[] refused,
      boolean indexed,
      boolean contentDropped) {}

  /** Runs to the end, reporting after every batch; returns the final progress. */
  public Progress run(boolean reindex, Consumer<Progress> progress) {
    Long total = jdbc.queryForObject("SELECT COUNT(*) FROM message", Long.class);
    long scanned = 0;
    long rewritten = 0;
    long rekeyed = 0;
    UUID after = null;
    while (true) {
      List<Row> rows = page(after);
      if (rows.isEmpty()) {
        break;
      }
      after = rows.get(rows.size() - 1).id();
      // The recipients of the re-digested messages, per client, for the suppression list.
      Map<String, Set<String>> recipients = new LinkedHashMap<>();
      for (Row row : rows) {
        rewritten += rewrite(row, reindex, recipients) ? 1 : 0;
      }
      for (Map.Entry<String, Set<String>> e : recipients.entrySet()) {
        rekeyed += suppressions.rekey(e.getKey(), e.getValue());
      }
      scanned += rows.size();
      progress.accept(new Progress(total, scanned, rewritten, -1));
      if (rows.size() < BATCH) {
        break;
      }
    }
    Progress done = new Progress(total, scanned, rewritten, remaining());
    log.info(
        "event=reencryption_done scanned={} rewritten={} remaining_old_key={}"
            + " suppressions_rekeyed={}",
        done.scanned(),
        done.rewritten(),
        done.remaining(),
        rekeyed);
    return done;
  }

  /** Messages whose content or refused list is sealed with a key other than the primary. */
  public long remaining() {
    long n = 0;
    UUID after = null;
    while (true) {
      List<Row> rows = page(after);
      for (Row r : rows) {
        if (!current(r)) {
          n++;
        }
      }
      if (rows.size() < BATCH) {
        return n;
      }
      after = rows.get(rows.size() - 1).id();
    }
  }

  private List<Row> page(UUID after) {
    return after == null
        ? jdbc.query(ROWS + " ORDER BY id LIMIT ?", (rs, n) -> row(rs), BATCH)
        : jdbc.query(ROWS + " WHERE id > ? ORDER BY id LIMIT ?", (rs, n) -> row(rs), after, BATCH);
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        rs.getObject("id", UUID.class),
        rs.getString("client_id"),
        rs.getBytes("content"),
        rs.getBytes("refused_recipients"),
        rs.getBoolean("indexed"),
        rs.getBoolean("dropped"));
  }

  private boolean current(Row r) {
    return (r.contentDropped() || cipher.sealedWithPrimary(r.content()))
        && (r.refused() == null || cipher.sealedWithPrimary(r.refused()));
  }

  /**
   * Rewrites one row if it needs it; true if it was rewritten. With {@code reindex}, adds the
   * recipients of a message whose content is kept to {@code recipients} under its client.
   */
  private boolean rewrite(Row row, boolean reindex, Map<String, Set<String>> recipients) {
    Row r = row;
    for (int attempt = 0; attempt < MAX_RACES; attempt++) {
      boolean needIndex = !r.contentDropped() && (reindex || !r.indexed());
      if (current(r) && !needIndex) {
        return false;
      }
      byte[] content = r.content();
      String[] digests = null;
      if (!r.contentDropped()) {
        byte[] plain = cipher.open(r.id(), r.content());
        if (!cipher.sealedWithPrimary(content)) {
          content = cipher.seal(r.id(), plain);
        }
        if (needIndex) {
          List<String> all = json.readValue(plain, MailContent.class).allRecipients();
          digests = index.digests(all);
          if (reindex && r.clientId() != null) {
            recipients.computeIfAbsent(r.clientId(), c -> new LinkedHashSet<>()).addAll(all);
          }
        }
      }
      byte[] refused = r.refused();
      if (refused != null && !cipher.sealedWithPrimary(refused)) {
        refused = cipher.sealRefused(r.id(), cipher.openRefused(r.id(), refused));
      }
      // A compare-and-set on what was read: a concurrent change is never overwritten.
      if (ledger.reseal(r.id(), r.content(), r.refused(), content, refused, digests)) {
        return true;
      }
      r = reread(r.id());
      if (r == null) {
        return false;
      }
    }
    log.warn("event=reencryption_row_busy message_id={} (run again to finish it)", row.id());
    return false;
  }

  private Row reread(UUID id) {
    return jdbc.query(ROWS + " WHERE id = ?", (rs, n) -> row(rs), id).stream()
        .findFirst()
        .orElse(null);
  }
}
