package dev.ums.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * A {@code bounce} row as listings read it ({@link Ledger#bounces}): ids, codes and times only,
 * never the recipient (not even its digest, which is a blind index of the address).
 *
 * @param statusCode the RFC 3463 enhanced status code, if the report gave one
 * @param feedbackType a complaint's RFC 5965 feedback type, if any
 * @param diagnostic the remote diagnostic as stored: addresses redacted, at most 512 characters
 * @param receivedAt when the report arrived (and was recorded: one transaction)
 * @param suppressed whether recording it put the recipient on the client's suppression list: the
 *     report named one of the message's recipients and was a complaint or a hard bounce for the
 *     address itself
 */
public record RecordedBounce(
    UUID id,
    UUID messageId,
    String clientId,
    BounceKind kind,
    String statusCode,
    String feedbackType,
    String diagnostic,
    Instant receivedAt,
    boolean suppressed) {}
