package dev.ums.crypto;

import dev.ums.security.AuditLog;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Key rotation, step two (ADMIN): {@code POST /api/admin/crypto/reencrypt[?reindex=true]} starts
 * moving every message to the primary key (202; 409 while a run is going), {@code GET} shows its
 * progress. When a finished run reports {@code remaining: 0}, older keys may leave the keyset. The
 * same run is available offline as {@code java -jar ums.jar crypto reencrypt [--reindex]}.
 */
@RestController
@RequestMapping(path = "/api/admin/crypto/reencrypt", produces = MediaType.APPLICATION_JSON_VALUE)
class CryptoAdminController {

  private final ReencryptionJob job;
  private final AuditLog audit;

  CryptoAdminController(ReencryptionJob job, AuditLog audit) {
    this.job = job;
    this.audit = audit;
  }

  @PostMapping
  @ResponseStatus(HttpStatus.ACCEPTED)
  ReencryptionJob.Status start(@RequestParam(defaultValue = "false") boolean reindex) {
    return audit.audited(
        "crypto.reencrypt", reindex ? "reindex" : "content", () -> job.start(reindex));
  }

  @GetMapping
  ReencryptionJob.Status status() {
    return job.status();
  }
}
