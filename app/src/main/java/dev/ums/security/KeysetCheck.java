package dev.ums.security;

import dev.ums.ledger.Ledger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Stops start-up when the configured keyset cannot open the newest stored message: a wrong or
 * regenerated keyset would otherwise turn every queued message into a failure and, after its
 * retries, a dead letter. Runs once every bean is made and before the dispatcher starts. When the
 * database cannot be read at start-up the check is skipped (and logged): intake then answers 503
 * and nothing is sent until it is back.
 */
@Component
class KeysetCheck implements SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(KeysetCheck.class);

  private final Ledger ledger;
  private final ContentCipher cipher;

  KeysetCheck(Ledger ledger, ContentCipher cipher) {
    this.ledger = ledger;
    this.cipher = cipher;
  }

  @Override
  public void afterSingletonsInstantiated() {
    Ledger.Sealed newest;
    try {
      newest = ledger.newestSealed().orElse(null);
    } catch (DataAccessException e) {
      log.warn("event=keyset_check_skipped reason=database_unreadable");
      return;
    }
    if (newest == null) {
      return;
    }
    try {
      cipher.open(newest.id(), newest.content());
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "The configured keyset (ums.crypto.keyset / ums.crypto.keyset-file) cannot open the"
              + " newest stored message "
              + newest.id()
              + ": it is not the keyset that sealed it (wrong, or regenerated). Configure that"
              + " keyset; after a rotation keep the old keys until `crypto reencrypt` reports"
              + " remaining_old_key=0.");
    }
  }
}
