package dev.ums.message;

import dev.ums.security.ContentCipher;
import dev.ums.web.ApiProblem;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admin reads across clients: find messages by recipient through the blind index, and open one
 * message's content. Callers audit both (see {@link MessageAdminController}).
 */
@Service
public class MessageLookup {

  private final MessageRepository repo;
  private final ContentCipher cipher;
  private final JsonMapper json;

  MessageLookup(MessageRepository repo, ContentCipher cipher, JsonMapper json) {
    this.repo = repo;
    this.cipher = cipher;
    this.json = json;
  }

  /** One message found by a look-up, with the client that owns it. */
  public record Found(String clientId, MessageView message) {}

  /** A page of look-up results, newest first; {@code next} is the cursor of the next page. */
  public record Page(List<Found> items, UUID next) {}

  /**
   * Messages carrying every digest in {@code digests} and every tag in {@code tags}, newest first,
   * below {@code before}.
   */
  public Page find(List<String> digests, List<String> tags, UUID before, int limit) {
    List<Found> found = repo.findByDigests(digests, tags, before, limit + 1);
    if (found.size() <= limit) {
      return new Page(found, null);
    }
    List<Found> page = found.subList(0, limit);
    return new Page(page, page.get(limit - 1).message().id());
  }

  /**
   * What a listing filters on; every field is optional (null or empty does not filter).
   *
   * @param id this message only
   * @param digests blind-index digests a message must all carry ({@link
   *     dev.ums.security.RecipientIndex#filter})
   * @param from created at or after
   * @param to created before
   */
  public record Criteria(
      UUID id,
      List<String> digests,
      dev.ums.ledger.MessageStatus status,
      String clientId,
      java.time.Instant from,
      java.time.Instant to) {}

  /**
   * Messages of any client matching {@code criteria}, newest first (by id, which follows creation),
   * ids below {@code before}. Decrypts nothing.
   */
  public Page find(Criteria criteria, UUID before, int limit) {
    List<Found> found = repo.findBy(criteria, before, limit + 1);
    if (found.size() <= limit) {
      return new Page(found, null);
    }
    List<Found> page = found.subList(0, limit);
    return new Page(page, page.get(limit - 1).message().id());
  }

  /**
   * The decrypted content of message {@code id}; 404 if unknown, 410 if retention dropped it.
   * Nothing decrypted is cached.
   */
  public MailContent content(UUID id) {
    return open(id, repo.sealedContent(id).orElseThrow(() -> ApiProblem.notFound("Message")));
  }

  /**
   * What test mode captured of {@code clientId}'s message {@code id}: its content as it would have
   * been sent. Not found unless the message is that client's, was sent with a test-mode key and is
   * {@code SENT}; gone once retention dropped the content.
   */
  public MailContent captured(UUID id, String clientId) {
    return open(
        id, repo.captured(id, clientId).orElseThrow(() -> ApiProblem.notFound("Captured message")));
  }

  private MailContent open(UUID id, MessageRepository.Sealed sealed) {
    if (sealed.droppedAt() != null) {
      throw new ApiProblem(
          HttpStatus.GONE,
          "content-dropped",
          "Content dropped",
          "The content of this message was removed by the retention policy at "
              + sealed.droppedAt());
    }
    return json.readValue(cipher.open(id, sealed.content()), MailContent.class);
  }
}
