package dev.ums.email.smtp;

import dev.ums.email.SendResult;
import dev.ums.email.SmtpSendException;
import dev.ums.ledger.FailureClass;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Every {@link SmtpSendException} is built here, from pure rules: which {@link FailureClass} an
 * SMTP failure is, what its message says, and how addresses are stripped from it. The Jakarta Mail
 * and the pipelined path report the same failure the same way because both come here.
 */
public final class SmtpFailures {

  /** Anything shaped like {@code local@domain}, with its angle brackets if any. */
  private static final Pattern ADDRESS =
      Pattern.compile("<?[^\\s<>@,;:\"()\\[\\]]+@[^\\s<>@,;:\"()]+>?");

  private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]+");

  static final String REDACTED = "<redacted>";

  private SmtpFailures() {}

  /** The server refused {@code command} with {@code reply}, or it failed without a usable one. */
  static SmtpSendException replyFailure(String command, int code, String reply, Exception e) {
    FailureClass c = classify(code, e);
    return new SmtpSendException(
        c,
        code > 0 ? code : null,
        "SMTP " + command + " failed: " + (reply == null ? e.getClass().getSimpleName() : reply));
  }

  /**
   * An exchange broke during {@code phase} ({@code connect}, {@code send}). The reply code is kept
   * only when it, not the I/O error, decided the class.
   */
  static SmtpSendException ioFailure(String phase, int code, Exception e) {
    FailureClass c = classify(code, e);
    boolean byReply = c == byReplyCode(code);
    return new SmtpSendException(
        c,
        byReply ? code : null,
        "SMTP "
            + phase
            + " failed: "
            + e.getClass().getSimpleName()
            + " ("
            + rootType(e)
            + "): "
            + e.getMessage());
  }

  /** Every recipient refused: classified by {@link #allRefused(Collection)}, lowest code shown. */
  static SmtpSendException everyRecipientRefused(List<SendResult.Refused> refused) {
    SendResult.Refused lowest =
        refused.stream().min((a, b) -> Integer.compare(a.code(), b.code())).orElseThrow();
    FailureClass c = allRefused(refused.stream().map(SendResult.Refused::code).toList());
    return new SmtpSendException(
        c,
        lowest.code(),
        "all " + refused.size() + " recipients refused; lowest reply: " + lowest.reply(),
        refused);
  }

  /** The email could not be turned into a message (an address or header Jakarta Mail refuses). */
  public static SmtpSendException notBuilt(Exception e) {
    return new SmtpSendException(
        FailureClass.PERMANENT, null, "message cannot be built: " + e.getClass().getSimpleName());
  }

  public static SmtpSendException noRecipient() {
    return new SmtpSendException(FailureClass.PERMANENT, null, "message has no recipient");
  }

  static SmtpSendException noTransport(String protocol) {
    return new SmtpSendException(
        FailureClass.PERMANENT, null, "no transport for protocol " + protocol);
  }

  static SmtpSendException startTlsNotOffered() {
    return new SmtpSendException(
        FailureClass.CONNECTION,
        null,
        "SMTP connect failed: STARTTLS is required but the relay does not offer it");
  }

  /** The send was still running at its deadline and its connection was closed under it. */
  static SmtpSendException abortedAtDeadline() {
    return new SmtpSendException(
        FailureClass.TIMEOUT, null, "SMTP send aborted at its deadline (lease end)");
  }

  static SmtpSendException interruptedWaitingForConnection() {
    return new SmtpSendException(
        FailureClass.CONNECTION, null, "interrupted while waiting for an SMTP connection");
  }

  static SmtpSendException senderClosed() {
    return new SmtpSendException(FailureClass.CONNECTION, null, "email sender is closed");
  }

  /**
   * Classifies a failed SMTP exchange.
   *
   * <ol>
   *   <li>a {@link SocketTimeoutException} anywhere in the chain: {@code TIMEOUT};
   *   <li>a connect failure or any other {@link IOException} in the chain: {@code CONNECTION};
   *   <li>reply 4xx: {@code TRANSIENT}; 5xx: {@code PERMANENT};
   *   <li>anything else (EOF, a garbled or missing reply): {@code CONNECTION}, because the
   *       connection is dropped and a retry on a fresh one is the sensible next step.
   * </ol>
   *
   * I/O wins over the reply code because after an I/O error the last code is stale.
   *
   * @param replyCode the server's reply code, or 0 or negative when there was none
   * @param error the failure, or null when only a reply code is known
   */
  static FailureClass classify(int replyCode, Throwable error) {
    if (has(error, SocketTimeoutException.class)) {
      return FailureClass.TIMEOUT;
    }
    if (has(error, ConnectException.class)
        || has(error, MailConnectException.class)
        || has(error, IOException.class)) {
      return FailureClass.CONNECTION;
    }
    FailureClass byCode = byReplyCode(replyCode);
    return byCode != null ? byCode : FailureClass.CONNECTION;
  }

  /**
   * Every recipient was refused: {@code PERMANENT} only when every refusal was 5xx, otherwise
   * {@code TRANSIENT} (some recipient may still take the message later).
   */
  static FailureClass allRefused(Collection<Integer> codes) {
    if (codes.isEmpty()) {
      return FailureClass.CONNECTION;
    }
    int lowest = codes.stream().mapToInt(Integer::intValue).min().getAsInt();
    FailureClass c = byReplyCode(lowest);
    return c == null ? FailureClass.TRANSIENT : c;
  }

  /** 4xx: transient, 5xx: permanent, anything else: null. */
  static FailureClass byReplyCode(int code) {
    if (code >= 400 && code <= 499) {
      return FailureClass.TRANSIENT;
    }
    if (code >= 500 && code <= 599) {
      return FailureClass.PERMANENT;
    }
    return null;
  }

  /** The text with every address-shaped token replaced and line breaks flattened. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    // Called on every reply to a sent message: skip the regexes when they cannot match (a
    // profile of the drain found a quarter of dispatch CPU here).
    String t = text.indexOf('@') < 0 ? text : ADDRESS.matcher(text).replaceAll(REDACTED);
    if (t.indexOf('\r') >= 0 || t.indexOf('\n') >= 0) {
      t = LINE_BREAKS.matcher(t).replaceAll(" ");
    }
    return t.strip();
  }

  /** Walks causes and Jakarta Mail's next-exception chain, guarding against loops. */
  static boolean has(Throwable error, Class<? extends Throwable> type) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable t = error;
    while (t != null && seen.put(t, Boolean.TRUE) == null) {
      if (type.isInstance(t)) {
        return true;
      }
      Throwable next = t.getCause();
      if (next == null && t instanceof MessagingException m) {
        next = m.getNextException();
      }
      t = next;
    }
    return false;
  }

  /** The innermost cause's type, for exception messages that must not quote the cause's text. */
  static String rootType(Throwable error) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable t = error;
    while (t.getCause() != null && seen.put(t, Boolean.TRUE) == null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }
}
