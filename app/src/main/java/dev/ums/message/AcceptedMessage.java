package dev.ums.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ums.ledger.MessageStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The answer to an accepted message; {@code index} is set only inside a batch answer.
 *
 * @param status QUEUED, or SUPPRESSED when every recipient is on the client's suppression list (it
 *     will not be sent)
 * @param suppressed the request's recipient fields that are suppressed ({@code to[1]}, {@code
 *     cc[0]}), named by field and position rather than address; absent when none is
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AcceptedMessage(
    Integer index, UUID id, MessageStatus status, Instant createdAt, List<String> suppressed) {}
