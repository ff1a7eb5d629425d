package dev.ums.bounce;

import dev.ums.ledger.BounceKind;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;

/**
 * Reads a report received by the inbound listener: an RFC 3464 delivery status notification ({@code
 * multipart/report; report-type=delivery-status}, parsed with Angus Mail's {@link DeliveryStatus})
 * or an RFC 5965 feedback report ({@code report-type=feedback-report}, whose fields are read as a
 * header block). The returned message or its headers ({@code message/rfc822}, {@code
 * text/rfc822-headers}) give the original {@code Message-ID} and {@code Return-Path}.
 *
 * <p>A DSN recipient is hard when its action is {@code failed} with a 5.x.x status, soft when its
 * action is {@code delayed} or its status is 4.x.x, and nothing (a delivery report) otherwise. The
 * report may sit inside another multipart (some gateways wrap it); parts nest at most {@value
 * #MAX_DEPTH} deep.
 */
final class ReportParser {

  /** Deepest multipart nesting searched for the report. */
  static final int MAX_DEPTH = 4;

  /** Most recipient entries read from one report. */
  static final int MAX_RECIPIENTS = 100;

  private static final Pattern STATUS = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

  private static final Session SESSION = Session.getInstance(new Properties());

  private ReportParser() {}

  /** Thrown for anything that is not a report this parser understands. */
  static final class Unparsable extends Exception {
    Unparsable(String reason) {
      super(reason, null, false, false);
    }
  }

  /** The report in {@code raw} (the message as received, headers and body). */
  static Report parse(byte[] raw) throws Unparsable {
    try {
      MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
      Found found = new Found();
      walk(message, found, 0);
      if (found.report == null) {
        throw new Unparsable("no_report");
      }
      return new Report(found.report, found.returnPaths, found.messageIds);
    } catch (MessagingException | IOException | RuntimeException e) {
      throw new Unparsable("malformed");
    }
  }

  /** What the walk found so far. */
  private static final class Found {
    List<Report.Recipient> report;
    final List<String> returnPaths = new ArrayList<>();
    final List<String> messageIds = new ArrayList<>();
  }

  private static void walk(Part part, Found found, int depth)
      throws MessagingException, IOException, Unparsable {
    if (depth > MAX_DEPTH) {
      return;
    }
    if (part.isMimeType("multipart/*")) {
      Multipart multipart =
          new MimeMultipart(new MimePartDataSource((jakarta.mail.internet.MimePart) part));
      String reportType =
          part.isMimeType("multipart/report")
              ? new ContentType(part.getContentType()).getParameter("report-type")
              : null;
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        if (reportType != null) {
          report(child, reportType.toLowerCase(Locale.ROOT), found);
        }
        walk(child, found, depth + 1);
      }
    }
  }

  /** Reads one part of a {@code multipart/report} of {@code reportType}. */
  private static void report(BodyPart part, String reportType, Found found)
      throws MessagingException, IOException, Unparsable {
    if (found.report == null
        && reportType.equals("delivery-status")
        && part.isMimeType("message/delivery-status")) {
      try (InputStream in = part.getInputStream()) {
        found.report = deliveryStatus(new DeliveryStatus(in));
      }
    } else if (found.report == null
        && reportType.equals("feedback-report")
        && part.isMimeType("message/feedback-report")) {
      try (InputStream in = part.getInputStream()) {
        InternetHeaders fields = new InternetHeaders(in);
        found.report = List.of(feedback(fields));
        String mailFrom = field(fields, "Original-Mail-From");
        if (mailFrom != null) {
          found.returnPaths.add(mailFrom);
        }
      }
    } else if (part.isMimeType("text/rfc822-headers")) {
      try (InputStream in = part.getInputStream()) {
        MessageHeaders headers = new MessageHeaders(in);
        returned(
            headers.getHeader("Return-Path", null), headers.getHeader("Message-ID", null), found);
      }
    } else if (part.isMimeType("message/rfc822")) {
      try (InputStream in = part.getInputStream()) {
        InternetHeaders headers = new InternetHeaders(in);
        returned(field(headers, "Return-Path"), field(headers, "Message-ID"), found);
      }
    }
  }

  /** The returned message's headers: its return path and Message-ID. */
  private static void returned(String returnPath, String messageId, Found found) {
    if (returnPath != null) {
      found.returnPaths.add(0, MimeUtility.unfold(returnPath).strip());
    }
    if (messageId != null) {
      found.messageIds.add(MimeUtility.unfold(messageId).strip());
    }
  }

  private static List<Report.Recipient> deliveryStatus(DeliveryStatus dsn) throws Unparsable {
    int n = Math.min(dsn.getRecipientDSNCount(), MAX_RECIPIENTS);
    if (n == 0) {
      throw new Unparsable("dsn_without_recipients");
    }
    List<Report.Recipient> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      InternetHeaders r = dsn.getRecipientDSN(i);
      String action = lower(field(r, "Action"));
      String status = statusCode(field(r, "Status"));
      String diagnostic = field(r, "Diagnostic-Code");
      if (status == null) {
        status = statusCode(diagnostic);
      }
      List<String> addresses = new ArrayList<>(2);
      addIfPresent(addresses, address(field(r, "Original-Recipient")));
      addIfPresent(addresses, address(field(r, "Final-Recipient")));
      out.add(
          new Report.Recipient(
              classify(action, status), status, null, diagnosticText(diagnostic), addresses));
    }
    return out;
  }

  private static Report.Recipient feedback(InternetHeaders fields) throws Unparsable {
    String type = lower(field(fields, "Feedback-Type"));
    if (type == null) {
      throw new Unparsable("feedback_without_type");
    }
    List<String> addresses = new ArrayList<>(1);
    String[] rcpts = fields.getHeader("Original-Rcpt-To");
    if (rcpts != null) {
      for (String r : rcpts) {
        addIfPresent(addresses, address(r));
      }
    }
    return new Report.Recipient(
        BounceKind.COMPLAINT,
        null,
        type.length() > 32 ? type.substring(0, 32) : type,
        null,
        addresses);
  }

  /** Hard, soft, or null for a report of a delivery (or of nothing we can tell). */
  static BounceKind classify(String action, String status) {
    char cls = status == null ? ' ' : status.charAt(0);
    if ("delayed".equals(action)) {
      return BounceKind.SOFT;
    }
    if ("failed".equals(action)) {
      return cls == '4' ? BounceKind.SOFT : BounceKind.HARD;
    }
    if (action == null || action.isEmpty()) {
      return cls == '5' ? BounceKind.HARD : cls == '4' ? BounceKind.SOFT : null;
    }
    return null; // delivered, relayed, expanded
  }

  /** The first enhanced status code ({@code 5.1.1}) in {@code text}, or null. */
  static String statusCode(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = STATUS.matcher(text);
    return m.find() ? m.group() : null;
  }

  /** {@code rfc822; Ann@Example.com} → {@code Ann@Example.com}; null when there is none. */
  static String address(String field) {
    if (field == null) {
      return null;
    }
    String a = field;
    int semi = a.indexOf(';');
    if (semi >= 0) {
      a = a.substring(semi + 1);
    }
    a = a.strip();
    if (a.startsWith("<") && a.endsWith(">")) {
      a = a.substring(1, a.length() - 1).strip();
    }
    return a.indexOf('@') > 0 ? a : null;
  }

  /** The diagnostic without its type ({@code smtp; 550 ...} → {@code 550 ...}). */
  private static String diagnosticText(String diagnostic) {
    if (diagnostic == null) {
      return null;
    }
    int semi = diagnostic.indexOf(';');
    return (semi >= 0 && semi < 16 ? diagnostic.substring(semi + 1) : diagnostic).strip();
  }

  private static String field(InternetHeaders headers, String name) {
    String v = headers.getHeader(name, null);
    return v == null ? null : MimeUtility.unfold(v).strip();
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static void addIfPresent(List<String> list, String s) {
    if (s != null && !list.contains(s)) {
      list.add(s);
    }
  }
}
