package dev.ums.email;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * A scripted SMTP server that, like a real pipelining relay, processes every complete command it
 * has received and answers them in order in one write. It records what each read from the client
 * returned ({@link #chunks}: one entry per client turn on loopback), every command line, and the
 * raw DATA bytes of every message as they crossed the wire (dot-stuffed, CRLF), so tests can see
 * how a client batches its commands and compare message bytes between clients.
 *
 * <p>Options: advertise {@code PIPELINING} or not; offer AUTH mechanisms and then require AUTH;
 * STARTTLS or TLS from the first byte, with GreenMail's self-signed certificate; chosen replies to
 * MAIL, RCPT, DATA and the end of data; never answering the end of data, or closing the connection
 * instead.
 */
final class PipeliningSmtpServer implements AutoCloseable {

  static final String USER = "ums";
  static final String PASSWORD = "s3cret";

  private final ServerSocket server;
  private final List<Socket> clients = new CopyOnWriteArrayList<>();

  final AtomicInteger connections = new AtomicInteger();

  /** Each read from a client socket, as ISO-8859-1 text, in order. */
  final List<String> chunks = new CopyOnWriteArrayList<>();

  /** Every command line (AUTH arguments included), in order. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  /** Wire bytes between 354 and the final dot of every message, final CRLF included. */
  final List<byte[]> messages = new CopyOnWriteArrayList<>();

  /** Messages whose body arrived over TLS. */
  final AtomicInteger messagesOverTls = new AtomicInteger();

  volatile boolean pipelining = true;

  /** Advertise RFC 3030 CHUNKING and take {@code BDAT <size> LAST}. */
  volatile boolean chunking;

  /** AUTH mechanisms to advertise, e.g. {@code "PLAIN LOGIN"}; when set, MAIL needs AUTH. */
  volatile String auth;

  /** Offer STARTTLS (and accept it) when set; with {@link #implicitTls}, TLS from the start. */
  private final SSLContext tls;

  private final boolean implicitTls;

  volatile String mailReply = "250 2.1.0 Ok";
  volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 Ok";

  /** Reply to DATA; null: 354 if some recipient was accepted, else 554 like Postfix. */
  volatile String dataReply;

  /** Reply to the end of data; null: never answer it. */
  volatile String endReply = "250 2.0.0 Ok: queued";

  /** Close the connection right after the end of data, without replying. */
  volatile boolean dropAfterBody;

  PipeliningSmtpServer() throws IOException {
    this(null, false);
  }

  private PipeliningSmtpServer(SSLContext tls, boolean implicitTls) throws IOException {
    this.tls = tls;
    this.implicitTls = implicitTls;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "pipelining-smtp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A server offering STARTTLS with GreenMail's self-signed certificate. */
  static PipeliningSmtpServer withStartTls() throws Exception {
    return new PipeliningSmtpServer(greenMailTls(), false);
  }

  /** A server speaking TLS from the first byte, GreenMail's self-signed certificate. */
  static PipeliningSmtpServer withImplicitTls() throws Exception {
    return new PipeliningSmtpServer(greenMailTls(), true);
  }

  private static SSLContext greenMailTls() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = PipeliningSmtpServer.class.getResourceAsStream("/greenmail.p12")) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Command lines starting with {@code verb}, case-insensitive. */
  List<String> commands(String verb) {
    return commands.stream()
        .filter(c -> c.toUpperCase(Locale.ROOT).startsWith(verb.toUpperCase(Locale.ROOT)))
        .toList();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        clients.add(s);
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "pipelining-smtp-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  /** Per-connection protocol state. */
  private final class Session {
    Socket socket;
    InputStream in;
    OutputStream out;
    boolean overTls;
    byte[] pending = new byte[0];
    String state = "command"; // command, data, auth-plain, login-user, login-password
    boolean authenticated;
    boolean mailOk;
    int accepted;
    String loginUser;
    SaslServer sasl;
    boolean startTls;
    boolean close;
    int bdatRemaining;

    Session(Socket socket) throws IOException {
      use(socket);
    }

    void use(Socket s) throws IOException {
      socket = s;
      in = s.getInputStream();
      out = s.getOutputStream();
      overTls = s instanceof SSLSocket;
    }
  }

  private void serve(Socket raw) {
    try (raw) {
      Socket s = raw;
      if (implicitTls) {
        s = serverTls(raw);
      }
      Session c = new Session(s);
      write(c, "220 pipelining-fake ESMTP\r\n");
      byte[] buf = new byte[65536];
      int n;
      while ((n = c.in.read(buf)) >= 0) {
        chunks.add(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        byte[] all = Arrays.copyOf(c.pending, c.pending.length + n);
        System.arraycopy(buf, 0, all, c.pending.length, n);
        c.pending = all;
        StringBuilder replies = new StringBuilder();
        process(c, replies);
        if (replies.length() > 0) {
          write(c, replies.toString());
        }
        if (c.close) {
          return;
        }
        if (c.startTls) {
          c.startTls = false;
          c.pending = new byte[0];
          c.use(serverTls(c.socket));
        }
      }
    } catch (IOException e) {
      // client went away
    }
  }

  private SSLSocket serverTls(Socket plain) throws IOException {
    SSLSocket s =
        (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
    s.setUseClientMode(false);
    s.startHandshake();
    return s;
  }

  private static void write(Session c, String text) throws IOException {
    c.out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    c.out.flush();
  }

  /** Handles every complete command or message in {@code c.pending}. */
  private void process(Session c, StringBuilder replies) throws IOException {
    while (!c.close && !c.startTls) {
      if (c.state.equals("bdat")) {
        if (c.pending.length < c.bdatRemaining) {
          return;
        }
        byte[] message = Arrays.copyOf(c.pending, c.bdatRemaining);
        c.pending = Arrays.copyOfRange(c.pending, c.bdatRemaining, c.pending.length);
        c.state = "command";
        String r;
        if (!c.mailOk || c.accepted == 0) {
          r = "554 5.5.1 Error: no valid recipients";
        } else if (dataReply != null && !dataReply.startsWith("354")) {
          r = dataReply; // the message as a whole refused, as DATA would be
        } else {
          messages.add(message);
          if (dropAfterBody) {
            c.close = true;
            return;
          }
          r = endReply;
        }
        c.mailOk = false;
        c.accepted = 0;
        if (r != null) {
          replies.append(r).append("\r\n");
          c.close = r.startsWith("421");
        }
        continue;
      }
      if (c.state.equals("data")) {
        int[] end = endOfData(c.pending);
        if (end == null) {
          return;
        }
        byte[] message = Arrays.copyOf(c.pending, end[0]);
        c.pending = Arrays.copyOfRange(c.pending, end[1], c.pending.length);
        c.state = "command";
        messages.add(message);
        if (c.overTls) {
          messagesOverTls.incrementAndGet();
        }
        c.mailOk = false;
        c.accepted = 0;
        if (dropAfterBody) {
          c.close = true; // serve() returns and the socket closes, no reply
          return;
        }
        String r = endReply;
        if (r != null) {
          replies.append(r).append("\r\n");
          c.close = r.startsWith("421");
        }
        continue;
      }
      int lf = indexOf(c.pending, (byte) '\n');
      if (lf < 0) {
        return;
      }
      String line = new String(c.pending, 0, lf, StandardCharsets.UTF_8).replaceAll("\r$", "");
      c.pending = Arrays.copyOfRange(c.pending, lf + 1, c.pending.length);
      commands.add(line);
      String r = answer(c, line);
      if (r == null) {
        continue; // BDAT: answered once its chunk has arrived
      }
      replies.append(r).append("\r\n");
      c.close |= r.startsWith("421"); // as real servers do: say 421, then hang up
    }
  }

  private String answer(Session c, String line) {
    String cmd = line.toUpperCase(Locale.ROOT);
    switch (c.state) {
      case "auth-plain" -> {
        return plain(c, line);
      }
      case "login-user" -> {
        c.loginUser = decode(line);
        c.state = "login-password";
        return "334 UGFzc3dvcmQ6";
      }
      case "sasl" -> {
        try {
          byte[] challenge = c.sasl.evaluateResponse(Base64.getDecoder().decode(line.strip()));
          if (!c.sasl.isComplete()) {
            return "334 " + Base64.getEncoder().encodeToString(challenge);
          }
          if (challenge != null && challenge.length > 0) {
            c.sasl = null; // one more round: the client acknowledges rspauth with an empty line
            c.state = "sasl-done";
            return "334 " + Base64.getEncoder().encodeToString(challenge);
          }
          c.state = "command";
          return login(c, true);
        } catch (SaslException | IllegalArgumentException e) {
          c.state = "command";
          return login(c, false);
        }
      }
      case "sasl-done" -> {
        c.state = "command";
        return login(c, true);
      }
      case "login-password" -> {
        c.state = "command";
        return login(c, USER.equals(c.loginUser) && PASSWORD.equals(decode(line)));
      }
      default -> {}
    }
    if (cmd.startsWith("EHLO")) {
      StringBuilder r = new StringBuilder("250-pipelining-fake\r\n");
      if (pipelining) {
        r.append("250-PIPELINING\r\n");
      }
      if (chunking) {
        r.append("250-CHUNKING\r\n");
      }
      if (tls != null && !implicitTls && !c.overTls) {
        r.append("250-STARTTLS\r\n");
      }
      if (auth != null) {
        r.append("250-AUTH ").append(auth).append("\r\n");
      }
      return r.append("250 8BITMIME").toString();
    }
    if (cmd.startsWith("HELO")) {
      return "250 pipelining-fake";
    }
    if (cmd.equals("STARTTLS") && tls != null && !c.overTls) {
      c.startTls = true;
      return "220 2.0.0 Ready to start TLS";
    }
    if (cmd.startsWith("AUTH PLAIN")) {
      String initial = line.substring("AUTH PLAIN".length()).strip();
      if (initial.isEmpty()) {
        c.state = "auth-plain";
        return "334 ";
      }
      return plain(c, initial);
    }
    if (cmd.equals("AUTH LOGIN")) {
      c.state = "login-user";
      return "334 VXNlcm5hbWU6";
    }
    if (cmd.equals("AUTH DIGEST-MD5")) { // a mechanism Jakarta Mail speaks and ours does not
      try {
        c.sasl =
            Sasl.createSaslServer(
                "DIGEST-MD5", "smtp", "127.0.0.1", null, PipeliningSmtpServer::sasl);
        c.state = "sasl";
        return "334 " + Base64.getEncoder().encodeToString(c.sasl.evaluateResponse(new byte[0]));
      } catch (SaslException e) {
        return "454 4.7.0 " + e.getMessage();
      }
    }
    if (cmd.startsWith("MAIL")) {
      if (auth != null && !c.authenticated) {
        return "530 5.7.0 Authentication required";
      }
      c.accepted = 0;
      c.mailOk = mailReply.startsWith("2");
      return mailReply;
    }
    if (cmd.startsWith("RCPT")) {
      if (!c.mailOk) {
        return "503 5.5.1 Error: need MAIL command";
      }
      String r = rcptReply.apply(line);
      if (r.startsWith("2")) {
        c.accepted++;
      }
      return r;
    }
    if (cmd.equals("DATA")) {
      String r = dataReply;
      if (r == null) {
        r =
            c.accepted > 0
                ? "354 End data with <CR><LF>.<CR><LF>"
                : "554 5.5.1 Error: no valid recipients";
      }
      if (r.startsWith("354")) {
        c.state = "data";
      }
      return r;
    }
    if (cmd.startsWith("BDAT") && chunking) {
      String[] parts = line.split(" ");
      if (parts.length != 3 || !parts[2].equalsIgnoreCase("LAST")) {
        return "504 5.5.4 this fake takes only BDAT <size> LAST";
      }
      c.bdatRemaining = Integer.parseInt(parts[1]);
      c.state = "bdat";
      return null;
    }
    if (cmd.equals("RSET")) {
      c.mailOk = false;
      c.accepted = 0;
      return "250 2.0.0 Ok";
    }
    if (cmd.equals("NOOP")) {
      return "250 2.0.0 Ok";
    }
    if (cmd.equals("QUIT")) {
      c.close = true;
      return "221 2.0.0 Bye";
    }
    return "502 5.5.2 Error: command not recognized";
  }

  private static void sasl(Callback[] callbacks) {
    for (Callback cb : callbacks) {
      if (cb instanceof PasswordCallback p) {
        p.setPassword(PASSWORD.toCharArray());
      } else if (cb instanceof AuthorizeCallback a) {
        a.setAuthorized(USER.equals(a.getAuthenticationID()));
      } else if (cb instanceof RealmCallback r) {
        r.setText(r.getDefaultText());
      }
    }
  }

  private String plain(Session c, String b64) {
    c.state = "command";
    String[] parts = decode(b64).split("\0", -1);
    return login(c, parts.length == 3 && USER.equals(parts[1]) && PASSWORD.equals(parts[2]));
  }

  private static String login(Session c, boolean ok) {
    c.authenticated = ok;
    return ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication failed";
  }

  private static String decode(String b64) {
    try {
      return new String(Base64.getDecoder().decode(b64.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /** {message length, bytes up to and including the final dot line}, or null if incomplete. */
  private static int[] endOfData(byte[] b) {
    if (b.length >= 3 && b[0] == '.' && b[1] == '\r' && b[2] == '\n') {
      return new int[] {0, 3};
    }
    for (int i = 0; i + 4 < b.length; i++) {
      if (b[i] == '\r'
          && b[i + 1] == '\n'
          && b[i + 2] == '.'
          && b[i + 3] == '\r'
          && b[i + 4] == '\n') {
        return new int[] {i + 2, i + 5};
      }
    }
    return null;
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /** Closes every open client connection; the server keeps listening. */
  void dropClients() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropClients();
  }
}
