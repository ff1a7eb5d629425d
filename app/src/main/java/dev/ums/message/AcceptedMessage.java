package dev.ums.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ums.ledger.MessageStatus;
import java.time.Instant;
import java.util.UUID;

/** The answer to an accepted message; {@code index} is set only inside a batch answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AcceptedMessage(Integer index, UUID id, MessageStatus status, Instant createdAt) {}
