package dev.ums.failure;

import dev.ums.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/**
 * The keyset position of a dead-letter page: the (updated_at, id) of the last item shown. Opaque to
 * clients (base64url); the next page starts strictly after it, so rows never repeat or go missing
 * while pages are read, whatever is re-driven or dead-lettered meanwhile.
 */
public record Cursor(Instant updatedAt, UUID id) {

  public String encode() {
    String raw = updatedAt + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Null for null; 400 for anything this class did not make. */
  public static Cursor decode(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new Cursor(
          Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw new ApiProblem(
          HttpStatus.BAD_REQUEST, "bad-parameter", "Bad parameter", "'cursor' is malformed");
    }
  }
}
