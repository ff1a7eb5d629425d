package dev.ums.message;

import dev.ums.web.ApiProblem;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Turns a uniqueness conflict on an idempotency key into the API's answer: the original response
 * again when the request is the same, a 422 problem when the key was used for a different request.
 */
@Service
class ConstraintHandlerService {

  IntakeResult onKeyConflict(Optional<IdempotencyStore.StoredAnswer> existing, String fingerprint) {
    IdempotencyStore.StoredAnswer answer =
        existing.orElseThrow(
            () ->
                // The record vanished between our insert and our read: only an expiry purge does
                // that.
                new ApiProblem(
                    HttpStatus.CONFLICT,
                    "idempotency-retry",
                    "Idempotency key in transition",
                    "The key expired while this request ran; send it again"));
    if (!answer.fingerprint().equals(fingerprint)) {
      throw new ApiProblem(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "idempotency-key-reused",
          "Idempotency key reused",
          "This Idempotency-Key was already used for a different request");
    }
    return new IntakeResult(answer.status(), answer.body(), true, null);
  }
}
