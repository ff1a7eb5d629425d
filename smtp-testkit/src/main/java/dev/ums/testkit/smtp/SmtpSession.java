package dev.ums.testkit.smtp;

import dev.ums.testkit.smtp.ScriptedSmtpServer.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * One SMTP conversation of a {@link ScriptedSmtpServer}. Not thread-safe; one per connection.
 *
 * <p>Input is read into one buffer and processed in place: every complete command line, message
 * line or {@code BDAT} chunk part in it is handled and its reply appended; the replies go out in
 * one write once the client has nothing more in flight (one turn). This is the benchmark sink's hot
 * path: no copies of message bytes unless the transcript is on.
 */
final class SmtpSession {

  private enum State {
    COMMAND,
    DATA,
    BDAT,
    AUTH_PLAIN,
    LOGIN_USER,
    LOGIN_PASSWORD,
    SASL,
    SASL_DONE
  }

  private final ScriptedSmtpServer server;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private boolean overTls;

  private byte[] buf = new byte[64 * 1024];
  private int start;
  private int end;
  private final StringBuilder replies = new StringBuilder(256);
  private State state = State.COMMAND;

  /** After this turn's replies, hang up. */
  private boolean close;

  /** After this turn's replies, start TLS. */
  private boolean startTls;

  /** Answers nothing any more (a black hole began); input is read and dropped. */
  private boolean silent;

  // The transaction.
  private boolean mail;
  private int recipients;

  // The message being received.
  private boolean headers;
  private String messageId;
  private ByteArrayOutputStream body;
  private boolean inChunks;
  private int bdatLeft;
  private int bdatSize;
  private boolean bdatLast;

  // AUTH.
  private boolean authenticated;
  private String loginUser;
  private SaslServer sasl;

  SmtpSession(ScriptedSmtpServer server, Socket socket) {
    this.server = server;
    this.socket = socket;
  }

  void run() throws IOException {
    socket.setTcpNoDelay(true);
    use(server.implicitTls ? tls(socket) : socket);
    if (server.fault == Fault.BLACK_HOLE) {
      silent = true;
    } else {
      reply(server.greeting);
      turn();
    }
    while (!close) {
      if (end == buf.length) {
        grow();
      }
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        return;
      }
      if (silent || server.fault == Fault.BLACK_HOLE) {
        silent = true;
        start = 0;
        end = 0;
        continue;
      }
      if (server.transcript) {
        server.reads.add(new String(buf, end, n, StandardCharsets.ISO_8859_1));
      }
      end += n;
      process();
      compact();
      if (silent) {
        replies.setLength(0);
        continue;
      }
      // One turn: everything the client has sent so far is answered, a BDAT chunk is complete.
      if (replies.length() > 0
          && state != State.BDAT
          && (close || startTls || in.available() == 0)) {
        turn();
      }
      if (startTls) {
        startTls = false;
        start = 0; // RFC 3207: nothing sent before the handshake counts after it
        end = 0;
        use(tls(socket));
      }
    }
  }

  private void use(Socket s) throws IOException {
    socket = s;
    in = s.getInputStream();
    out = s.getOutputStream();
    overTls = s instanceof SSLSocket;
  }

  private SSLSocket tls(Socket plain) throws IOException {
    SSLSocket s =
        (SSLSocket) server.tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
    s.setUseClientMode(false);
    s.startHandshake();
    return s;
  }

  private void turn() throws IOException {
    pause(server.roundTripNanos);
    out.write(replies.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    replies.setLength(0);
    server.turns.incrementAndGet();
  }

  private void reply(String r) {
    replies.append(r).append("\r\n");
    if (r.startsWith("421")) {
      close = true; // as real servers do: say 421, then hang up
    }
  }

  private static void pause(long nanos) throws InterruptedIOException {
    if (nanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("server closing");
      }
    }
  }

  /** Handles every complete command, message line and chunk part in the buffer. */
  private void process() throws IOException {
    while (!close && !startTls && !silent) {
      if (state == State.BDAT) {
        if (!bdatStep()) {
          return;
        }
        continue;
      }
      int nl = indexOfNewline(start, end);
      if (nl < 0) {
        return;
      }
      int from = start;
      int to = nl > from && buf[nl - 1] == '\r' ? nl - 1 : nl;
      start = nl + 1;
      if (state == State.DATA) {
        dataLine(from, to, nl + 1);
      } else {
        String line = new String(buf, from, to - from, StandardCharsets.UTF_8);
        if (server.transcript) {
          server.commands.add(line);
        }
        String r = answer(line);
        if (r != null) {
          reply(r);
        }
      }
    }
  }

  // ---- commands -------------------------------------------------------------------------------

  private String answer(String line) throws IOException {
    switch (state) {
      case AUTH_PLAIN -> {
        return plain(line);
      }
      case LOGIN_USER -> {
        loginUser = decode(line);
        state = State.LOGIN_PASSWORD;
        return "334 UGFzc3dvcmQ6";
      }
      case LOGIN_PASSWORD -> {
        state = State.COMMAND;
        return login(
            Objects.equals(server.user, loginUser)
                && Objects.equals(server.password, decode(line)));
      }
      case SASL -> {
        return saslStep(line);
      }
      case SASL_DONE -> {
        state = State.COMMAND;
        return login(true);
      }
      default -> {}
    }
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    switch (verb) {
      case "EHLO" -> {
        resetTransaction();
        return ehlo();
      }
      case "HELO" -> {
        resetTransaction();
        return "250 " + server.hostname;
      }
      case "STARTTLS" -> {
        if (server.tls == null || overTls) {
          return "502 5.5.2 Error: command not recognized";
        }
        startTls = true;
        return "220 2.0.0 Ready to start TLS";
      }
      case "AUTH" -> {
        return auth(line);
      }
      case "MAIL" -> {
        if (server.authMechanisms != null && !authenticated) {
          return "530 5.7.0 Authentication required";
        }
        resetTransaction();
        String r = server.mailReply;
        mail = r.startsWith("2");
        return r;
      }
      case "RCPT" -> {
        if (!mail) {
          return "503 5.5.1 Error: need MAIL command";
        }
        String r = server.rcptReply.apply(line);
        if (r.startsWith("2")) {
          recipients++;
        }
        return r;
      }
      case "DATA" -> {
        String r = server.dataReply;
        if (r == null) {
          r =
              recipients > 0
                  ? "354 End data with <CR><LF>.<CR><LF>"
                  : "554 5.5.1 Error: no valid recipients";
        }
        if (r.startsWith("354")) {
          beginMessage();
          state = State.DATA;
        }
        return r;
      }
      case "BDAT" -> {
        return advertises("CHUNKING") ? bdat(line) : "502 5.5.2 Error: command not recognized";
      }
      case "RSET" -> {
        resetTransaction();
        return "250 2.0.0 Ok";
      }
      case "NOOP" -> {
        return "250 2.0.0 Ok";
      }
      case "QUIT" -> {
        close = true;
        return "221 2.0.0 Bye";
      }
      default -> {
        return "502 5.5.2 Error: command not recognized";
      }
    }
  }

  private String ehlo() {
    List<String> keywords = new ArrayList<>(server.keywords);
    if (server.tls != null && !overTls) {
      keywords.add("STARTTLS");
    }
    if (server.authMechanisms != null) {
      keywords.add("AUTH " + server.authMechanisms);
    }
    StringBuilder r = new StringBuilder("250").append(keywords.isEmpty() ? ' ' : '-');
    r.append(server.hostname);
    for (int i = 0; i < keywords.size(); i++) {
      r.append(i == keywords.size() - 1 ? "\r\n250 " : "\r\n250-").append(keywords.get(i));
    }
    return r.toString();
  }

  private boolean advertises(String keyword) {
    for (String k : server.keywords) {
      if (k.regionMatches(true, 0, keyword, 0, keyword.length())) {
        return true;
      }
    }
    return false;
  }

  private void resetTransaction() {
    mail = false;
    recipients = 0;
    inChunks = false;
    body = null;
  }

  // ---- messages -------------------------------------------------------------------------------

  private void beginMessage() {
    headers = true;
    messageId = null;
    body = server.transcript ? new ByteArrayOutputStream() : null;
  }

  /** One line of DATA, {@code [from, to)} without its line end, {@code next} after it. */
  private void dataLine(int from, int to, int next) throws IOException {
    if (to - from == 1 && buf[from] == '.') {
      state = State.COMMAND;
      String r = endOfMessage();
      if (r != null) {
        reply(r);
      }
      return;
    }
    if (body != null) {
      body.write(buf, from, next - from);
    }
    if (headers) {
      headerLine(from < to && buf[from] == '.' ? from + 1 : from, to); // dot-unstuffed
    }
  }

  private void headerLine(int from, int to) {
    int len = to - from;
    if (len == 0) {
      headers = false;
    } else if (messageId == null && len > 11 && startsWithIgnoreCase(from, "message-id:")) {
      messageId = new String(buf, from + 11, len - 11, StandardCharsets.ISO_8859_1).trim();
    }
  }

  private String bdat(String line) {
    String[] parts = line.trim().split("\\s+");
    int size;
    try {
      size = Integer.parseInt(parts[1]);
    } catch (RuntimeException e) {
      return "501 5.5.4 Syntax: BDAT <size> [LAST]";
    }
    if (!inChunks) {
      beginMessage();
      inChunks = true;
    }
    bdatSize = size;
    bdatLeft = size;
    bdatLast = parts.length > 2 && parts[2].equalsIgnoreCase("LAST");
    state = State.BDAT;
    return null; // answered once the chunk is in
  }

  /** Takes the next part of a BDAT chunk; false when more input is needed first. */
  private boolean bdatStep() throws IOException {
    if (bdatLeft > 0) {
      int avail = Math.min(end - start, bdatLeft);
      if (avail == 0) {
        return false;
      }
      int take = avail;
      if (headers) {
        int nl = indexOfNewline(start, start + avail);
        if (nl >= 0) {
          headerLine(start, nl > start && buf[nl - 1] == '\r' ? nl - 1 : nl);
          take = nl + 1 - start;
        } else if (avail < bdatLeft) {
          return false; // a header line split across reads: wait for the rest
        }
      }
      if (body != null) {
        body.write(buf, start, take);
      }
      start += take;
      bdatLeft -= take;
      if (bdatLeft > 0) {
        return true;
      }
    }
    state = State.COMMAND;
    String r = chunkDone();
    if (r != null) {
      reply(r);
    }
    return true;
  }

  private String chunkDone() throws IOException {
    if (recipients == 0) {
      resetTransaction();
      return "554 5.5.1 Error: no valid recipients";
    }
    if (!bdatLast) {
      return "250 2.0.0 " + bdatSize + " octets received";
    }
    String refused = server.dataReply;
    if (refused != null && !refused.startsWith("354")) {
      resetTransaction();
      return refused; // the message as a whole refused, as DATA would be
    }
    return endOfMessage();
  }

  /** The last byte of a message is in: records it, returns the reply (null: none). */
  private String endOfMessage() throws IOException {
    if (body != null) {
      server.messages.add(body.toByteArray());
    }
    if (overTls) {
      server.messagesOverTls.incrementAndGet();
    }
    String id = messageId;
    headers = false;
    messageId = null;
    resetTransaction();
    if (server.dropAfterBody) {
      close = true; // hang up without a word
      return null;
    }
    pause(server.endOfDataNanos);
    if (server.fault != Fault.NONE) {
      silent = true; // refused (this connection is gone) or black-holed meanwhile
      return null;
    }
    String r = server.endOfDataReply;
    if (r != null && r.startsWith("2")) {
      server.deliveries.record(id, System.nanoTime(), server.transcript);
    }
    return r;
  }

  // ---- AUTH -----------------------------------------------------------------------------------

  private String auth(String line) throws SaslException {
    if (server.authMechanisms == null) {
      return "503 5.5.1 Error: authentication not enabled";
    }
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("AUTH PLAIN")) {
      String initial = line.substring("AUTH PLAIN".length()).strip();
      if (initial.isEmpty()) {
        state = State.AUTH_PLAIN;
        return "334 ";
      }
      return plain(initial);
    }
    if (upper.equals("AUTH LOGIN")) {
      state = State.LOGIN_USER;
      return "334 VXNlcm5hbWU6";
    }
    if (upper.equals("AUTH DIGEST-MD5")) { // a mechanism Jakarta Mail speaks and UMS does not
      try {
        sasl = Sasl.createSaslServer("DIGEST-MD5", "smtp", "127.0.0.1", null, this::saslCallback);
        state = State.SASL;
        return "334 " + Base64.getEncoder().encodeToString(sasl.evaluateResponse(new byte[0]));
      } catch (SaslException e) {
        return "454 4.7.0 " + e.getMessage();
      }
    }
    return "504 5.5.4 Unrecognized authentication type";
  }

  private String saslStep(String line) {
    try {
      byte[] challenge = sasl.evaluateResponse(Base64.getDecoder().decode(line.strip()));
      if (!sasl.isComplete()) {
        return "334 " + Base64.getEncoder().encodeToString(challenge);
      }
      if (challenge != null && challenge.length > 0) {
        sasl = null; // one more round: the client acknowledges rspauth with an empty line
        state = State.SASL_DONE;
        return "334 " + Base64.getEncoder().encodeToString(challenge);
      }
      state = State.COMMAND;
      return login(true);
    } catch (SaslException | IllegalArgumentException e) {
      state = State.COMMAND;
      return login(false);
    }
  }

  private void saslCallback(Callback[] callbacks) {
    for (Callback cb : callbacks) {
      if (cb instanceof PasswordCallback p) {
        p.setPassword(server.password.toCharArray());
      } else if (cb instanceof AuthorizeCallback a) {
        a.setAuthorized(Objects.equals(server.user, a.getAuthenticationID()));
      } else if (cb instanceof RealmCallback r) {
        r.setText(r.getDefaultText());
      }
    }
  }

  private String plain(String b64) {
    state = State.COMMAND;
    String[] parts = decode(b64).split("\0", -1);
    return login(
        parts.length == 3
            && Objects.equals(server.user, parts[1])
            && Objects.equals(server.password, parts[2]));
  }

  private String login(boolean ok) {
    authenticated = ok;
    return ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication failed";
  }

  private static String decode(String b64) {
    try {
      return new String(Base64.getDecoder().decode(b64.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  // ---- the buffer -----------------------------------------------------------------------------

  private int indexOfNewline(int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private boolean startsWithIgnoreCase(int from, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      if (Character.toLowerCase((char) buf[from + i]) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Moves what is left to the front of the buffer. */
  private void compact() {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
  }

  /** A line (or header line) longer than the buffer. */
  private void grow() {
    compact();
    if (end == buf.length) {
      byte[] bigger = new byte[buf.length * 2];
      System.arraycopy(buf, 0, bigger, 0, end);
      buf = bigger;
    }
  }
}
