package dev.ums.testkit.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A scripted SMTP server on {@code 127.0.0.1}: the relay of the app's tests, the benchmark's sink
 * and the chaos suite's relay. A real TCP server, one thread per connection.
 *
 * <h2>How it answers</h2>
 *
 * It speaks EHLO/HELO, MAIL, RCPT, DATA (dot-stuffed), {@code BDAT} (RFC 3030, when {@code
 * CHUNKING} is {@linkplain #advertise advertised}), RSET, NOOP, QUIT, STARTTLS and AUTH PLAIN,
 * LOGIN and DIGEST-MD5 (when {@linkplain #auth set}). Like a pipelining relay (Postfix), it
 * processes every complete command it has received and answers them in order in one write, once the
 * client has nothing more in flight: one <em>turn</em> per client round trip. A {@code BDAT} chunk
 * still arriving holds the replies back until it is complete. A non-pipelining client gets one
 * reply per turn, as from any relay. After any 421 reply it closes the connection.
 *
 * <p>Every reply that matters to a test can be scripted (greeting, MAIL, RCPT per recipient, DATA,
 * the end of a message) and changed at any time; a change applies to the next reply, on open
 * connections too. So do the {@linkplain #roundTripDelay delay per turn}, the {@linkplain
 * #endOfDataDelay delay before answering a message} and the {@linkplain Fault faults}.
 *
 * <h2>What it records</h2>
 *
 * Always, cheaply: accepted connections (also per second), turns, and every message answered with a
 * 2xx reply: a delivery, keyed by the local part of its {@code Message-ID} header ({@code abc} for
 * {@code <abc@host>}), with the {@link System#nanoTime()} of its first arrival. A delivery is
 * recorded when the server commits to its 2xx reply, just before writing it: a connection that
 * breaks right then leaves a delivery the client never heard of, as with a real relay.
 *
 * <p>With the {@linkplain Builder#transcript transcript} on (the default): what each read from a
 * client returned, every command line, the wire bytes of every message, and the {@code Message-ID}
 * of every delivery in order. The transcript is for tests that look at a few conversations; the
 * benchmark's {@link #sink()} and the chaos relay keep it off.
 *
 * <p>Nothing it receives is logged.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

  /** Faults that apply at once, to new and open connections. */
  public enum Fault {
    /** None: the server answers as scripted. */
    NONE,
    /**
     * The listening socket is closed (connects are refused) and open connections are dropped;
     * leaving this fault listens again on the same port.
     */
    REFUSE,
    /**
     * TCP connections are accepted and nothing is ever answered: no greeting on new connections,
     * and an open connection that sends anything goes silent for good.
     */
    BLACK_HOLE
  }

  /** Settings fixed at start; everything else can be changed on the running server. */
  public static final class Builder {
    private String hostname = "scripted";
    private List<String> keywords = List.of("PIPELINING", "8BITMIME");
    private SSLContext tls;
    private boolean implicitTls;
    private boolean transcript = true;
    private int backlog = 50;

    private Builder() {}

    /** The name in the greeting and the EHLO reply; default {@code scripted}. */
    public Builder hostname(String hostname) {
      this.hostname = hostname;
      return this;
    }

    /** The EHLO keywords to start with; see {@link ScriptedSmtpServer#advertise}. */
    public Builder advertise(String... keywords) {
      this.keywords = List.of(keywords);
      return this;
    }

    /** Offer STARTTLS with this context's key (and accept it). */
    public Builder startTls(SSLContext context) {
      this.tls = context;
      this.implicitTls = false;
      return this;
    }

    /** Speak TLS from the first byte with this context's key. */
    public Builder implicitTls(SSLContext context) {
      this.tls = context;
      this.implicitTls = true;
      return this;
    }

    /**
     * Record reads, command lines, message bytes and delivered Message-IDs (default on). Off for
     * volume: the lists only grow.
     */
    public Builder transcript(boolean on) {
      this.transcript = on;
      return this;
    }

    /** The listening socket's backlog; default 50. */
    public Builder backlog(int backlog) {
      this.backlog = backlog;
      return this;
    }

    /** Starts listening on a free port of {@code 127.0.0.1}. */
    public ScriptedSmtpServer start() throws IOException {
      return new ScriptedSmtpServer(this);
    }
  }

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  // Fixed at start.
  final String hostname;
  final SSLContext tls;
  final boolean implicitTls;
  final boolean transcript;
  private final int backlog;
  private final int port;
  private final Clock clock = Clock.systemUTC();

  // The script: read by sessions at each reply.
  volatile String greeting;
  volatile List<String> keywords;
  volatile String authMechanisms;
  volatile String user;
  volatile String password;
  volatile String mailReply = "250 2.1.0 Ok";
  volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 Ok";
  volatile String dataReply;
  volatile String endOfDataReply = "250 2.0.0 Ok: queued";
  volatile boolean dropAfterBody;
  volatile long roundTripNanos;
  volatile long endOfDataNanos;
  volatile Fault fault = Fault.NONE;

  // Records.
  final Deliveries deliveries = new Deliveries();
  final AtomicLong turns = new AtomicLong();
  final AtomicInteger messagesOverTls = new AtomicInteger();
  final List<String> reads = new CopyOnWriteArrayList<>();
  final List<String> commands = new CopyOnWriteArrayList<>();
  final List<byte[]> messages = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<Long, AtomicInteger> connectionsPerSecond = new ConcurrentHashMap<>();

  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService sessions =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "scripted-smtp");
            t.setDaemon(true);
            return t;
          });
  private ServerSocket listener;
  private Thread acceptor;
  private volatile boolean closed;

  private ScriptedSmtpServer(Builder b) throws IOException {
    this.hostname = b.hostname;
    this.greeting = "220 " + b.hostname + " ESMTP";
    this.keywords = b.keywords;
    this.tls = b.tls;
    this.implicitTls = b.implicitTls;
    this.transcript = b.transcript;
    this.backlog = b.backlog;
    listen(0);
    this.port = listener.getLocalPort();
  }

  /** Settings fixed at start: host name, TLS, transcript, backlog. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A relay like Postfix without TLS or AUTH: advertises {@code PIPELINING} and {@code 8BITMIME},
   * accepts everything, keeps a transcript.
   */
  public static ScriptedSmtpServer start() throws IOException {
    return builder().start();
  }

  /**
   * The benchmark's sink: advertises {@code PIPELINING}, {@code CHUNKING}, {@code 8BITMIME} and
   * {@code SIZE} like Postfix, accepts everything, keeps no transcript, backlog 1024.
   */
  public static ScriptedSmtpServer sink() throws IOException {
    return builder()
        .hostname("sink")
        .advertise("PIPELINING", "CHUNKING", "8BITMIME", "SIZE 104857600")
        .transcript(false)
        .backlog(1024)
        .start();
  }

  public int port() {
    return port;
  }

  // ---- the script ---------------------------------------------------------------------------

  /**
   * The greeting, sent as given followed by CRLF (several lines: separate them with CRLF); default
   * {@code 220 <hostname> ESMTP}. A 421 greeting is followed by the server hanging up.
   */
  public ScriptedSmtpServer greeting(String greeting) {
    this.greeting = greeting;
    return this;
  }

  /**
   * The EHLO keywords, in order, e.g. {@code "PIPELINING", "CHUNKING", "8BITMIME"}; none: EHLO is
   * answered with the host name alone, and a client stays on plain one-command-per-turn SMTP.
   * {@code STARTTLS} and {@code AUTH} are added as the TLS and AUTH settings say. {@code BDAT} is
   * taken only while {@code CHUNKING} is advertised.
   */
  public ScriptedSmtpServer advertise(String... keywords) {
    this.keywords = List.of(keywords);
    return this;
  }

  /**
   * Advertise {@code AUTH <mechanisms>} (of PLAIN, LOGIN, DIGEST-MD5) and refuse MAIL with 530
   * until the client has authenticated as {@code user} with {@code password}; null mechanisms: no
   * AUTH.
   */
  public ScriptedSmtpServer auth(String mechanisms, String user, String password) {
    this.user = user;
    this.password = password;
    this.authMechanisms = mechanisms;
    return this;
  }

  /** Reply to MAIL; a transaction starts only on a 2xx. Default {@code 250 2.1.0 Ok}. */
  public ScriptedSmtpServer mailReply(String reply) {
    this.mailReply = reply;
    return this;
  }

  /** Reply to every RCPT; a recipient counts as accepted on a 2xx. Default {@code 250 2.1.5 Ok}. */
  public ScriptedSmtpServer rcptReply(String reply) {
    return rcptReply(rcpt -> reply);
  }

  /** Reply to each RCPT from its command line ({@code RCPT TO:<…>}). */
  public ScriptedSmtpServer rcptReply(Function<String, String> reply) {
    this.rcptReply = reply;
    return this;
  }

  /**
   * Reply to DATA, and to a whole {@code BDAT} message unless it starts with 354; null (default):
   * 354 if some recipient was accepted, else {@code 554 5.5.1} like Postfix.
   */
  public ScriptedSmtpServer dataReply(String reply) {
    this.dataReply = reply;
    return this;
  }

  /**
   * Reply to the end of a message (DATA's final dot, {@code BDAT … LAST}); null: never answer it
   * and keep the connection open. Default {@code 250 2.0.0 Ok: queued}.
   */
  public ScriptedSmtpServer endOfDataReply(String reply) {
    this.endOfDataReply = reply;
    return this;
  }

  /** Close the connection right after a message's last byte, without replying. */
  public ScriptedSmtpServer dropAfterBody(boolean drop) {
    this.dropAfterBody = drop;
    return this;
  }

  /**
   * A relay's round trip: every turn (the greeting included) waits this long before its replies go
   * out.
   */
  public ScriptedSmtpServer roundTripDelay(Duration delay) {
    this.roundTripNanos = delay.toNanos();
    return this;
  }

  /**
   * A relay's processing time: the end of every message waits this long before it is answered (on
   * top of the round trip). A {@link Fault} that began meanwhile applies to that answer.
   */
  public ScriptedSmtpServer endOfDataDelay(Duration delay) {
    this.endOfDataNanos = delay.toNanos();
    return this;
  }

  /**
   * Switches the fault; applies at once.
   *
   * @throws UncheckedIOException if the port cannot be bound again after {@link Fault#REFUSE}
   */
  public synchronized ScriptedSmtpServer fault(Fault next) {
    fault = next;
    if (next == Fault.REFUSE) {
      stopListening();
      dropClients();
    } else if (listener == null && !closed) {
      try {
        listen(port);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on port " + port + " again", e);
      }
    }
    return this;
  }

  public Fault fault() {
    return fault;
  }

  // ---- what it saw ----------------------------------------------------------------------------

  /** Accepted TCP connections since start or {@link #reset()}. */
  public int connections() {
    return connections.get();
  }

  /** Accepted TCP connections whose accept fell in {@code [from, to)}, in whole seconds. */
  public int connectionsBetween(Instant from, Instant to) {
    int n = 0;
    long last = to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0);
    for (long s = from.getEpochSecond(); s < last; s++) {
      AtomicInteger c = connectionsPerSecond.get(s);
      n += c == null ? 0 : c.get();
    }
    return n;
  }

  /** Writes of replies (the greeting included): client round trips. */
  public long turns() {
    return turns.get();
  }

  /** Transcript: what each read from a client returned, as ISO-8859-1 text, in order. */
  public List<String> reads() {
    return Collections.unmodifiableList(reads);
  }

  /** Transcript: every command line (AUTH exchanges included), in order. */
  public List<String> commands() {
    return Collections.unmodifiableList(commands);
  }

  /** Transcript: the command lines starting with {@code verb}, case-insensitive. */
  public List<String> commands(String verb) {
    String v = verb.toUpperCase(Locale.ROOT);
    return commands.stream().filter(c -> c.toUpperCase(Locale.ROOT).startsWith(v)).toList();
  }

  /**
   * Transcript: the wire bytes of every complete message, in order, whatever its answer: for DATA
   * what came between the 354 and the final dot (dot-stuffed, final CRLF included), for BDAT the
   * chunks' bytes.
   */
  public List<byte[]> messages() {
    return Collections.unmodifiableList(messages);
  }

  /** Transcript: the {@code Message-ID} header of every delivery (null without one), in order. */
  public List<String> delivered() {
    return deliveries.inOrder();
  }

  /** Messages whose bytes arrived over TLS. */
  public int messagesOverTls() {
    return messagesOverTls.get();
  }

  /** Messages answered with 2xx, in all. */
  public int deliveries() {
    return deliveries.total();
  }

  /**
   * How often the message with this {@code Message-ID} was answered with 2xx; the id in full
   * ({@code <abc@host>}) or its local part ({@code abc}).
   */
  public int deliveries(String messageId) {
    return deliveries.count(messageId);
  }

  /** Distinct Message-IDs answered with 2xx. */
  public int distinct() {
    return deliveries.distinct();
  }

  /** Deliveries beyond the first of each Message-ID. */
  public int duplicates() {
    return deliveries.duplicates();
  }

  /** Deliveries of messages without a {@code Message-ID} header. */
  public int withoutId() {
    return deliveries.withoutId();
  }

  /** {@link System#nanoTime()} of the first delivery of this Message-ID (full or local part). */
  public Long receivedAt(String messageId) {
    return deliveries.firstAt(messageId);
  }

  /** {@link System#nanoTime()} of the first delivery since start or {@link #reset()}. */
  public long firstAt() {
    return deliveries.firstAt();
  }

  /** {@link System#nanoTime()} of the last delivery since start or {@link #reset()}. */
  public long lastAt() {
    return deliveries.lastAt();
  }

  /** Waits until {@link #distinct()} reaches {@code n} or the timeout passes; true if it did. */
  public boolean awaitDistinct(long n, Duration timeout) throws InterruptedException {
    return deliveries.awaitDistinct(n, timeout.toNanos());
  }

  // ---- control --------------------------------------------------------------------------------

  /** Forgets the transcript; counts and deliveries stay. */
  public void clearTranscript() {
    reads.clear();
    commands.clear();
    messages.clear();
    deliveries.clearOrder();
  }

  /** Forgets everything it saw: counts, deliveries, transcript. Open connections stay open. */
  public void reset() {
    clearTranscript();
    deliveries.reset();
    turns.set(0);
    messagesOverTls.set(0);
    connections.set(0);
    connectionsPerSecond.clear();
  }

  /** Closes every open client connection; the server keeps listening. */
  public void dropClients() {
    open.forEach(ScriptedSmtpServer::closeQuietly);
  }

  /**
   * Stops listening and closes every connection. Returns only once the port refuses connections:
   * the JDK defers closing a listening socket until the thread blocked in its {@code accept()} has
   * left it, and until then new connections would still be accepted.
   */
  @Override
  public synchronized void close() {
    closed = true;
    stopListening();
    dropClients();
    sessions.shutdownNow();
  }

  // ---- internals ------------------------------------------------------------------------------

  private synchronized void listen(int onPort) throws IOException {
    ServerSocket ss = new ServerSocket();
    ss.setReuseAddress(true);
    ss.bind(new InetSocketAddress(LOOPBACK, onPort), backlog);
    listener = ss;
    acceptor = new Thread(() -> acceptLoop(ss), "scripted-smtp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private synchronized void stopListening() {
    if (listener == null) {
      return;
    }
    closeQuietly(listener);
    listener = null;
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    acceptor = null;
  }

  private void acceptLoop(ServerSocket ss) {
    while (!ss.isClosed()) {
      Socket s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        return;
      }
      if (closed || ss.isClosed()) {
        closeQuietly(s); // accepted while closing: a closed server answers nothing
        return;
      }
      connections.incrementAndGet();
      connectionsPerSecond
          .computeIfAbsent(clock.instant().getEpochSecond(), k -> new AtomicInteger())
          .incrementAndGet();
      open.add(s);
      try {
        sessions.execute(() -> serve(s));
      } catch (RuntimeException e) {
        open.remove(s);
        closeQuietly(s);
      }
    }
  }

  private void serve(Socket s) {
    try {
      new SmtpSession(this, s).run();
    } catch (IOException e) {
      // the client went away, or the connection was dropped on purpose
    } finally {
      open.remove(s);
      closeQuietly(s);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
