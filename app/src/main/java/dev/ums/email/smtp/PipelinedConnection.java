package dev.ums.email.smtp;

import dev.ums.email.SendResult;
import dev.ums.email.SmtpSendException;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.eclipse.angus.mail.util.CRLFOutputStream;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * One SMTP connection that pipelines (RFC 2920): {@code MAIL FROM}, every {@code RCPT TO} and
 * {@code DATA} go out in one write and their replies are read in order; after {@code 354} the body
 * and its final dot go out in a second write. Two client turns per message instead of Jakarta
 * Mail's four; one when the relay also advertises {@code CHUNKING} (see {@link #sendChunked}). Not
 * thread-safe: {@link SmtpConnectionPool} lends it to one send at a time.
 *
 * <p>The socket comes from Angus Mail's {@link SocketFetcher} with the same session properties the
 * Jakarta path uses, so connect, read and write timeouts, implicit TLS, STARTTLS, trusted hosts and
 * host name verification behave exactly as there. AUTH PLAIN and LOGIN are spoken here; a relay
 * that offers neither, or does not advertise {@code PIPELINING}, makes {@link #open} throw {@link
 * Unsupported} and the caller uses Jakarta Mail instead. The message bytes are the {@link
 * MimeMessage} written through Angus' {@link SMTPOutputStream} (CRLF line ends, dot-stuffing),
 * exactly as Jakarta Mail writes them.
 *
 * <p>Outcomes of {@link #send}, the same as on the Jakarta path:
 *
 * <ul>
 *   <li>Returns once the server answered 2xx to the end of the body: at least one recipient got the
 *       message; refused recipients are listed.
 *   <li>{@code MAIL FROM} refused, every recipient refused, or {@code DATA} refused: nothing was
 *       sent; the exception carries the reply's class and code. The transaction is then reset
 *       ({@code RSET}, or a lone {@code .} when the server answered {@code 354} anyway, RFC 2920
 *       §3.1) and the connection stays usable ({@link #reusable()}).
 *   <li>Reply to the end of the body not 2xx: the server refused the message.
 *   <li>The connection breaks or a reply does not come within the read timeout, at any point:
 *       {@code CONNECTION} or {@code TIMEOUT}, and the connection is not reused. Nothing is assumed
 *       delivered unless the final 2xx after the body was read, although the server may have taken
 *       the message just before the break; a retry then sends a duplicate with the same {@code
 *       Message-ID}. {@link #safeToRetry()} says whether any of the body had been written.
 *   <li>A {@code 421} reply (server closing the channel) fails the send as {@code TRANSIENT} and
 *       the connection is not reused.
 * </ul>
 *
 * Nothing here logs; commands and replies carry addresses and credentials.
 */
final class PipelinedConnection implements SmtpConnection {

  /** Raised by {@link #open} when the relay needs something this class does not speak. */
  static final class Unsupported extends Exception {
    Unsupported(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Where and how to connect.
   *
   * @param session the Jakarta Mail session properties (timeouts, TLS, socket factory)
   * @param prefix their prefix: {@code mail.smtp} or {@code mail.smtps}
   * @param implicitTls TLS from the first byte
   * @param ehloName the name sent in EHLO
   * @param username AUTH user, or null for no AUTH
   */
  record Settings(
      String host,
      int port,
      Properties session,
      String prefix,
      boolean implicitTls,
      String ehloName,
      String username,
      String password) {

    @Override
    public String toString() {
      return "Settings[host=" + host + ", port=" + port + ", prefix=" + prefix + "]";
    }
  }

  /** One reply; {@code text} holds every line with its code, joined by line feeds. */
  record Reply(int code, String text) {
    boolean positive() {
      return code >= 200 && code <= 299;
    }
  }

  /** Headers Jakarta Mail leaves out when it transmits a message; so do we. */
  private static final String[] NOT_SENT = {"Bcc", "Content-Length"};

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] END_OF_DATA = {'.', '\r', '\n'};

  /**
   * Commands per write. RFC 2920 §3.1: a client must not let the server block writing replies while
   * it blocks writing commands; a bounded batch keeps the replies well within socket buffers
   * however many recipients a message has.
   */
  static final int COMMANDS_PER_TURN = 100;

  private static final Pattern REPLY_LINE = Pattern.compile("[0-9]{3}([ -].*)?");
  private static final int MAX_LINE = 8192;
  private static final int MAX_LINES = 1000;

  private volatile Socket socket;
  private InputStream in;
  private OutputStream out;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
  private boolean reusable = true;
  private boolean bodyStarted;
  private boolean chunking;

  private PipelinedConnection(Socket socket) {
    this.socket = socket;
  }

  /**
   * Connects, reads the greeting, says EHLO, starts TLS and authenticates as configured.
   *
   * @throws Unsupported the relay does not pipeline or wants an AUTH mechanism other than PLAIN and
   *     LOGIN; the connection is closed
   * @throws SmtpSendException connect, TLS or AUTH failed, classified as on the Jakarta path
   */
  static PipelinedConnection open(Settings s) throws SmtpSendException, Unsupported {
    PipelinedConnection c;
    try {
      c =
          new PipelinedConnection(
              SocketFetcher.getSocket(
                  s.host(), s.port(), s.session(), s.prefix(), s.implicitTls()));
    } catch (IOException e) {
      throw SmtpFailures.ioFailure("connect", -1, e);
    }
    boolean ok = false;
    try {
      c.handshake(s);
      ok = true;
      return c;
    } catch (IOException e) {
      c.reusable = false;
      throw SmtpFailures.ioFailure("connect", -1, e);
    } finally {
      if (!ok) {
        c.close();
      }
    }
  }

  private void handshake(Settings s) throws IOException, SmtpSendException, Unsupported {
    socket.setTcpNoDelay(true); // see NoDelaySocketFactory; implicit TLS sockets lack it
    streams();
    Reply greeting = read();
    if (greeting.code() != 220) {
      throw SmtpFailures.replyFailure("connect", greeting.code(), greeting.text(), null);
    }
    Map<String, String> ext = ehlo(s.ehloName());
    boolean startTls = flag(s, "starttls.enable");
    boolean tlsRequired = flag(s, "starttls.required");
    if ((startTls || tlsRequired) && !s.implicitTls()) {
      if (ext.containsKey("STARTTLS")) {
        Reply r = exchange("STARTTLS");
        if (r.code() != 220) {
          throw SmtpFailures.replyFailure("STARTTLS", r.code(), r.text(), null);
        }
        socket = SocketFetcher.startTLS(socket, s.host(), s.session(), s.prefix());
        streams();
        ext = ehlo(s.ehloName());
      } else if (tlsRequired) {
        throw SmtpFailures.startTlsNotOffered();
      }
    }
    if (!ext.containsKey("PIPELINING")) {
      throw new Unsupported("the relay does not advertise PIPELINING");
    }
    chunking = ext.containsKey("CHUNKING");
    // As Jakarta Mail: authenticate when a user is set and the relay offers AUTH at all.
    if (s.username() != null && (ext.containsKey("AUTH") || ext.containsKey("AUTH=LOGIN"))) {
      authenticate(s, ext.get("AUTH"), ext.containsKey("AUTH=LOGIN"));
    }
  }

  private Map<String, String> ehlo(String name) throws IOException, Unsupported {
    Reply r = exchange("EHLO " + name);
    if (r.code() != 250) {
      throw new Unsupported("the relay refused EHLO"); // Jakarta Mail then tries HELO
    }
    Map<String, String> ext = new HashMap<>();
    String[] lines = r.text().split("\n");
    for (int i = 1; i < lines.length; i++) { // the first line names the server
      String l = lines[i].length() > 4 ? lines[i].substring(4).strip() : "";
      if (!l.isEmpty()) {
        int sp = l.indexOf(' ');
        ext.put(
            (sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT),
            sp < 0 ? "" : l.substring(sp + 1));
      }
    }
    return ext;
  }

  /**
   * Whether a relay's AUTH offer includes a mechanism this class speaks.
   *
   * @param mechanisms the {@code AUTH} extension's parameter, or null
   * @param oldStyleLogin the relay also listed the pre-standard {@code AUTH=LOGIN}
   */
  static boolean speaksAuth(String mechanisms, boolean oldStyleLogin) {
    return oldStyleLogin || offers(mechanisms, "PLAIN") || offers(mechanisms, "LOGIN");
  }

  private static boolean offers(String mechanisms, String mechanism) {
    return mechanisms != null
        && List.of(mechanisms.toUpperCase(Locale.ROOT).split("\\s+")).contains(mechanism);
  }

  private void authenticate(Settings s, String mechanisms, boolean oldStyleLogin)
      throws IOException, SmtpSendException, Unsupported {
    if (s.password() == null) {
      throw new Unsupported("AUTH without a password");
    }
    Reply r;
    if (offers(mechanisms, "PLAIN")) {
      r = exchange("AUTH PLAIN " + base64("\0" + s.username() + "\0" + s.password()));
    } else if (oldStyleLogin || offers(mechanisms, "LOGIN")) {
      r = exchange("AUTH LOGIN");
      if (r.code() == 334) {
        r = exchange(base64(s.username()));
      }
      if (r.code() == 334) {
        r = exchange(base64(s.password()));
      }
    } else {
      throw new Unsupported("the relay offers neither AUTH PLAIN nor AUTH LOGIN");
    }
    if (r.code() != 235) {
      throw SmtpFailures.replyFailure("AUTH", r.code(), r.text(), null);
    }
  }

  /**
   * The envelope sender: the message's own ({@link SMTPMessage#getEnvelopeFrom()}, a per-message
   * return path) when it has one, else its {@code From} address, as Jakarta Mail chooses it.
   */
  static String envelopeSender(MimeMessage mime) throws MessagingException {
    if (mime instanceof SMTPMessage m
        && m.getEnvelopeFrom() != null
        && !m.getEnvelopeFrom().isEmpty()) {
      return m.getEnvelopeFrom();
    }
    return ((InternetAddress) mime.getFrom()[0]).getAddress();
  }

  @Override
  public SendResult send(MimeMessage mime, Address[] envelope) throws SmtpSendException {
    bodyStarted = false;
    List<String> commands = new ArrayList<>(envelope.length + 2);
    try {
      commands.add("MAIL FROM:" + path(envelopeSender(mime)));
      for (Address a : envelope) {
        commands.add("RCPT TO:" + path(((InternetAddress) a).getAddress()));
      }
    } catch (MessagingException | RuntimeException e) {
      throw SmtpFailures.notBuilt(e);
    }
    if (chunking && commands.size() < COMMANDS_PER_TURN) {
      return sendChunked(mime, envelope, commands);
    }
    commands.add("DATA");
    reusable = false; // until the transaction is known to be complete or reset
    List<Reply> replies = new ArrayList<>(commands.size());
    try {
      for (int from = 0; from < commands.size(); from += COMMANDS_PER_TURN) {
        List<String> turn =
            commands.subList(from, Math.min(commands.size(), from + COMMANDS_PER_TURN));
        for (String c : turn) {
          write(c);
        }
        out.flush();
        for (int i = 0; i < turn.size(); i++) {
          replies.add(read());
        }
      }
    } catch (IOException e) {
      SmtpSendException settled = settled(commands, envelope, replies);
      throw settled != null ? settled : SmtpFailures.ioFailure("send", -1, e);
    }
    Reply mail = replies.get(0);
    Reply data = replies.get(replies.size() - 1);
    List<SendResult.Refused> refused = refusals(envelope, replies);
    if (mail.positive() && refused.size() < envelope.length && data.code() == 354) {
      Reply end;
      try {
        end = body(mime);
      } catch (IOException | MessagingException e) {
        throw SmtpFailures.ioFailure("send", -1, e);
      }
      reusable = end.code() != 421;
      if (!end.positive()) {
        throw SmtpFailures.replyFailure(".", end.code(), end.text(), null);
      }
      return new SendResult(SmtpFailures.redact(end.text()), refused);
    }
    reusable = reset(data) && replies.stream().noneMatch(r -> r.code() == 421);
    SmtpSendException settled = settled(commands, envelope, replies);
    throw settled != null
        ? settled
        : SmtpFailures.replyFailure("DATA", data.code(), data.text(), null);
  }

  /**
   * The failure that replies already read decide, as on the lock-step Jakarta path where they would
   * have ended the exchange: MAIL FROM refused (named by the whole command, as Jakarta Mail does;
   * the exception redacts the address), every recipient refused, or the server closing the channel
   * (421). Null if none of these, or while the replies that would decide are missing.
   */
  private static SmtpSendException settled(
      List<String> commands, Address[] envelope, List<Reply> replies) {
    if (!replies.isEmpty() && !replies.get(0).positive()) {
      Reply mail = replies.get(0);
      return SmtpFailures.replyFailure(commands.get(0), mail.code(), mail.text(), null);
    }
    if (replies.size() > envelope.length) {
      List<SendResult.Refused> refused = refusals(envelope, replies);
      if (refused.size() == envelope.length) {
        return SmtpFailures.everyRecipientRefused(refused);
      }
    }
    for (int i = 0; i < replies.size(); i++) {
      if (replies.get(i).code() == 421) {
        return SmtpFailures.replyFailure(commands.get(i), 421, replies.get(i).text(), null);
      }
    }
    return null;
  }

  /** The recipients whose RCPT TO got a reply other than 2xx, in envelope order. */
  private static List<SendResult.Refused> refusals(Address[] envelope, List<Reply> replies) {
    List<SendResult.Refused> refused = new ArrayList<>();
    for (int i = 0; i < envelope.length && i + 1 < replies.size(); i++) {
      Reply r = replies.get(i + 1);
      if (!r.positive()) {
        refused.add(
            new SendResult.Refused(
                ((InternetAddress) envelope[i]).getAddress(),
                r.code(),
                SmtpFailures.redact(r.text())));
      }
    }
    return refused;
  }

  /**
   * RFC 3030 CHUNKING with RFC 2920 pipelining: MAIL FROM, every RCPT TO and {@code BDAT <size>
   * LAST} with the whole message in one write, then every reply: one client turn per message. The
   * message goes out before the server has said whether it takes any recipient; if it takes none,
   * the BDAT reply refuses it and nothing was delivered.
   *
   * <p>Failure modes: the connection dying before any reply was read means the relay answered
   * nothing, so {@link #safeToRetry} allows the one immediate retry on a new connection (a relay
   * that queued the message and died before sending a single reply would then get it twice, with
   * the same Message-ID); once a reply has been read, a dead connection is a CONNECTION failure and
   * the normal retry schedule applies, as after a DATA body.
   */
  private SendResult sendChunked(MimeMessage mime, Address[] envelope, List<String> commands)
      throws SmtpSendException {
    byte[] message;
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(mime.getSize() + 64);
      // CRLF line ends and a final line break, as SMTPOutputStream gives the DATA path, without
      // dot-stuffing (BDAT carries the bytes as they are).
      var crlf =
          new CRLFOutputStream(buf) {
            void endLine() throws IOException {
              if (!atBOL) {
                writeln();
              }
            }
          };
      mime.writeTo(crlf, NOT_SENT);
      crlf.endLine();
      message = buf.toByteArray();
    } catch (IOException | MessagingException e) {
      throw SmtpFailures.notBuilt(e);
    }
    List<String> named = new ArrayList<>(commands); // each reply's command, for failures
    named.add("BDAT");
    reusable = false;
    bodyStarted = true;
    List<Reply> replies = new ArrayList<>(commands.size() + 1);
    try {
      for (String c : commands) {
        write(c);
      }
      write("BDAT " + message.length + " LAST");
      out.write(message);
      out.flush();
      for (int i = 0; i <= commands.size(); i++) {
        replies.add(read());
      }
    } catch (IOException e) {
      if (replies.isEmpty()) {
        bodyStarted = false; // the relay answered nothing: see the javadoc
      }
      SmtpSendException settled = settled(named, envelope, replies);
      throw settled != null ? settled : SmtpFailures.ioFailure("send", -1, e);
    }
    Reply end = replies.get(replies.size() - 1);
    boolean closing = replies.stream().anyMatch(r -> r.code() == 421);
    if (end.positive()) {
      reusable = !closing;
      return new SendResult(SmtpFailures.redact(end.text()), refusals(envelope, replies));
    }
    // The transaction is over either way; RSET makes sure before the connection is reused.
    reusable = !closing && reset(end); // RSET: the BDAT reply is never 354
    SmtpSendException settled = settled(named, envelope, replies);
    throw settled != null
        ? settled
        : SmtpFailures.replyFailure("BDAT", end.code(), end.text(), null);
  }

  /** Second turn: the message, dot-stuffed with CRLF line ends, then the final dot. */
  private Reply body(MimeMessage mime) throws IOException, MessagingException {
    bodyStarted = true;
    SMTPOutputStream data = new SMTPOutputStream(out); // its flush() is a no-op by design
    mime.writeTo(data, NOT_SENT);
    data.ensureAtBOL();
    out.write(END_OF_DATA);
    out.flush();
    return read();
  }

  /**
   * Ends a transaction that will not carry a message (RFC 2920 §3.1): a lone dot if the server
   * answered DATA with 354 anyway, otherwise RSET. True when the session is clean again.
   */
  private boolean reset(Reply data) {
    try {
      if (data.code() == 354) {
        out.write(END_OF_DATA);
        out.flush();
        return read().code() != 421; // whatever it says, the transaction is over
      }
      return exchange("RSET").positive();
    } catch (IOException e) {
      return false; // the refusal stands; the connection goes
    }
  }

  @Override
  public boolean reusable() {
    return reusable;
  }

  @Override
  public boolean safeToRetry() {
    return !bodyStarted;
  }

  @Override
  public boolean alive() {
    try {
      if (exchange("NOOP").code() == 250) {
        return true;
      }
    } catch (IOException e) {
      // dead
    }
    reusable = false;
    return false;
  }

  @Override
  public void close() {
    if (reusable && out != null) {
      try {
        write("QUIT");
        out.flush();
      } catch (IOException e) {
        // closing anyway
      }
    }
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void abort() {
    reusable = false;
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private Reply exchange(String command) throws IOException {
    write(command);
    out.flush();
    return read();
  }

  private void write(String command) throws IOException {
    out.write(command.getBytes(StandardCharsets.UTF_8));
    out.write(CRLF);
  }

  /** One reply, all its lines. A reply that is not {@code ddd[ -]text} is an I/O error. */
  private Reply read() throws IOException {
    StringBuilder text = new StringBuilder();
    int code = -1;
    for (int n = 0; n < MAX_LINES; n++) {
      String l = readLine();
      if (!REPLY_LINE.matcher(l).matches()) {
        throw new IOException("malformed SMTP reply");
      }
      if (n == 0) {
        code = Integer.parseInt(l.substring(0, 3));
      } else {
        text.append('\n');
      }
      text.append(l);
      if (l.length() == 3 || l.charAt(3) == ' ') {
        return new Reply(code, text.toString());
      }
    }
    throw new IOException("SMTP reply too long");
  }

  private String readLine() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("the relay closed the connection");
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("SMTP reply line too long");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private void streams() throws IOException {
    in = new BufferedInputStream(socket.getInputStream(), 8192);
    out = new BufferedOutputStream(socket.getOutputStream(), 16384);
  }

  /** {@code <address>}, as Jakarta Mail writes it; refuses line breaks (command injection). */
  private static String path(String address) {
    if (address.indexOf('\r') >= 0 || address.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("line break in address");
    }
    return address.startsWith("<") ? address : "<" + address + ">";
  }

  private static boolean flag(Settings s, String name) {
    return Boolean.parseBoolean(s.session().getProperty(s.prefix() + "." + name));
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
