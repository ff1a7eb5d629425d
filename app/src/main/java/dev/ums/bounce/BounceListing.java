package dev.ums.bounce;

import dev.ums.ledger.BounceKind;
import dev.ums.ledger.BounceQuery;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.RecordedBounce;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The bounce listings of {@code /api/bounces} and {@code /api/admin/bounces}: checks the filters
 * (400 naming the parameter), reads one page through the {@link Ledger} (the owner of the {@code
 * bounce} table) and turns it into the API's view, which never carries an address or its digest.
 */
@Component
class BounceListing {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  private final Ledger ledger;

  BounceListing(Ledger ledger) {
    this.ledger = ledger;
  }

  /**
   * One page, newest first.
   *
   * @param clientId only this client's bounces; null for every client
   */
  BouncePage list(
      String clientId,
      Instant since,
      Instant until,
      String type,
      UUID messageId,
      int limit,
      String cursor) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("limit", "must be between 1 and " + MAX_LIMIT)));
    }
    if (since != null && until != null && !since.isBefore(until)) {
      throw ApiProblem.validation(List.of(FieldProblem.of("until", "must be after 'since'")));
    }
    BounceQuery q = new BounceQuery(clientId, since, until, kind(type), messageId);
    Position after = Position.decode(cursor);
    List<RecordedBounce> found =
        ledger.bounces(
            q,
            after == null ? null : after.receivedAt(),
            after == null ? null : after.id(),
            limit + 1);
    String next = null;
    if (found.size() > limit) {
      found = found.subList(0, limit);
      RecordedBounce last = found.get(limit - 1);
      next = new Position(last.receivedAt(), last.id()).encode();
    }
    return new BouncePage(found.stream().map(BounceView::of).toList(), next);
  }

  /** A {@code type} filter: null when blank, 400 naming the valid ones when unknown. */
  private static BounceKind kind(String type) {
    if (type == null || type.isBlank()) {
      return null;
    }
    return BounceKind.parse(type.strip())
        .orElseThrow(
            () ->
                ApiProblem.validation(
                    List.of(
                        FieldProblem.of(
                            "type",
                            "must be one of "
                                + Arrays.stream(BounceKind.values())
                                    .map(BounceKind::wireName)
                                    .toList()))));
  }

  /**
   * The keyset position of a page: the (received_at, id) of the last bounce shown, opaque to
   * clients (base64url). The next page starts strictly after it.
   */
  record Position(Instant receivedAt, UUID id) {

    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((receivedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Null for null or empty; 400 naming {@code cursor} for anything this class did not make. */
    static Position decode(String token) {
      if (token == null || token.isEmpty()) {
        return null;
      }
      try {
        String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        int bar = raw.indexOf('|');
        return new Position(
            Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
      } catch (RuntimeException e) {
        throw new ApiProblem(
            HttpStatus.BAD_REQUEST, "bad-parameter", "Bad parameter", "'cursor' is malformed");
      }
    }
  }
}
