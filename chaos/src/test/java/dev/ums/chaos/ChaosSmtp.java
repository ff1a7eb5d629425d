package dev.ums.chaos;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted SMTP relay on {@code 127.0.0.1}: a real TCP server, one thread per connection, that
 * advertises {@code PIPELINING}, {@code 8BITMIME} and (optionally) {@code CHUNKING}, reads DATA
 * with dot-unstuffing and {@code BDAT} chunks, and answers pipelined commands in order.
 *
 * <p>It counts a delivery per {@code Message-ID} header value each time it has answered 250 to the
 * end of a message (the reply was written and flushed). It counts accepted TCP connections per
 * second. Its {@link Mode} can be switched at any time and applies at once, also to connections
 * that are already open.
 *
 * <p>Nothing it receives is logged.
 */
final class ChaosSmtp implements AutoCloseable {

  /** How the relay behaves. */
  enum Mode {
    /** Accepts everything (after {@link #latency(Duration)} per message). */
    NORMAL,
    /** The listening socket is closed (connects are refused) and open connections dropped. */
    REFUSE,
    /** Accepts TCP connections but never answers anything, on new or open connections. */
    BLACKHOLE,
    /** Waits {@link #slowDelay(Duration)} before answering the end of each message. */
    SLOW,
    /** Answers the greeting or any command with {@code 421 4.3.2} and closes the connection. */
    REPLY_421,
    /** Answers every {@code RCPT} with {@code 451 4.7.1}. */
    REPLY_451_RCPT
  }

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final String NO_MESSAGE_ID = "<none>";

  private final int port;
  private final boolean chunking;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "chaos-smtp");
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  private final AtomicInteger delivered = new AtomicInteger();
  private final Map<Long, AtomicInteger> acceptedPerSecond = new ConcurrentHashMap<>();
  private volatile Mode mode = Mode.NORMAL;
  private volatile Duration slowDelay = Duration.ofMillis(500);
  private volatile Duration latency = Duration.ZERO;
  private ServerSocket listener;

  private ChaosSmtp(ServerSocket listener, boolean chunking) {
    this.listener = listener;
    this.port = listener.getLocalPort();
    this.chunking = chunking;
  }

  /** Starts listening on a free port in {@link Mode#NORMAL}. */
  static ChaosSmtp start(boolean chunking) throws IOException {
    ServerSocket ss = new ServerSocket();
    ss.setReuseAddress(true);
    ss.bind(new InetSocketAddress(LOOPBACK, 0), 256);
    ChaosSmtp smtp = new ChaosSmtp(ss, chunking);
    smtp.threads.execute(() -> smtp.acceptLoop(ss));
    return smtp;
  }

  int port() {
    return port;
  }

  Mode mode() {
    return mode;
  }

  /** Switches the mode; {@link Mode#REFUSE} closes the port, leaving it listens again. */
  synchronized void mode(Mode next) throws IOException {
    mode = next;
    if (next == Mode.REFUSE) {
      if (listener != null) {
        listener.close();
        listener = null;
      }
      open.forEach(ChaosSmtp::closeQuietly);
    } else if (listener == null) {
      ServerSocket ss = new ServerSocket();
      ss.setReuseAddress(true);
      ss.bind(new InetSocketAddress(LOOPBACK, port), 256);
      listener = ss;
      threads.execute(() -> acceptLoop(ss));
    }
  }

  /** The wait before answering the end of a message in {@link Mode#SLOW}. */
  void slowDelay(Duration delay) {
    this.slowDelay = delay;
  }

  /** A wait before answering the end of every message in the other answering modes too. */
  void latency(Duration latency) {
    this.latency = latency;
  }

  /** Messages answered with 250, in all. */
  int deliveries() {
    return delivered.get();
  }

  /** How often the message with this {@code Message-ID} was answered with 250. */
  int deliveries(String messageId) {
    AtomicInteger n = deliveries.get(messageId);
    return n == null ? 0 : n.get();
  }

  /** Distinct {@code Message-ID}s answered with 250. */
  int distinctDelivered() {
    return deliveries.size();
  }

  /** Deliveries beyond the first of each {@code Message-ID}. */
  int duplicates() {
    return deliveries() - distinctDelivered();
  }

  /** Accepted TCP connections whose accept fell in {@code [from, to)} (whole seconds). */
  int connectionsBetween(Instant from, Instant to) {
    int n = 0;
    for (long s = from.getEpochSecond();
        s < to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0);
        s++) {
      AtomicInteger c = acceptedPerSecond.get(s);
      n += c == null ? 0 : c.get();
    }
    return n;
  }

  @Override
  public synchronized void close() {
    if (listener != null) {
      closeQuietly(listener);
      listener = null;
    }
    open.forEach(ChaosSmtp::closeQuietly);
    threads.shutdownNow();
  }

  private void acceptLoop(ServerSocket ss) {
    while (!ss.isClosed()) {
      Socket s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        return;
      }
      acceptedPerSecond
          .computeIfAbsent(Instant.now().getEpochSecond(), k -> new AtomicInteger())
          .incrementAndGet();
      open.add(s);
      try {
        threads.execute(() -> serve(s));
      } catch (RuntimeException e) {
        closeQuietly(s);
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      new Session(
              new BufferedInputStream(socket.getInputStream()),
              new BufferedOutputStream(socket.getOutputStream()))
          .run();
    } catch (IOException e) {
      // the client went away or the connection was dropped on purpose
    } finally {
      open.remove(socket);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  /** Ends the session: the connection is closed. */
  private static final class Closed extends Exception {
    Closed() {
      super(null, null, false, false);
    }
  }

  /** One SMTP session. Replies are buffered and flushed before any read that would block. */
  private final class Session {
    private final InputStream in;
    private final OutputStream out;
    private boolean silent;
    private boolean mail;
    private int recipients;
    private ByteArrayOutputStream chunks;

    Session(InputStream in, OutputStream out) {
      this.in = in;
      this.out = out;
    }

    void run() throws IOException {
      try {
        reply("220 127.0.0.1 ESMTP chaos");
        while (true) {
          String line = readLine();
          if (line == null) {
            return;
          }
          if (silent || mode == Mode.BLACKHOLE) {
            silent = true;
            continue;
          }
          command(line);
        }
      } catch (Closed c) {
        // 421 or QUIT
      }
    }

    private void command(String line) throws IOException, Closed {
      String upper = line.toUpperCase(Locale.ROOT);
      String verb = upper.split(" ", 2)[0];
      switch (verb) {
        case "EHLO" -> {
          StringBuilder b = new StringBuilder("250-127.0.0.1\r\n250-PIPELINING\r\n");
          if (chunking) {
            b.append("250-CHUNKING\r\n");
          }
          reply(b.append("250-8BITMIME\r\n250 ENHANCEDSTATUSCODES").toString());
        }
        case "HELO" -> reply("250 127.0.0.1");
        case "MAIL" -> {
          reset();
          mail = true;
          reply("250 2.1.0 OK");
        }
        case "RCPT" -> {
          if (!mail) {
            reply("503 5.5.1 MAIL first");
          } else if (mode == Mode.REPLY_451_RCPT) {
            reply("451 4.7.1 try later");
          } else {
            recipients++;
            reply("250 2.1.5 OK");
          }
        }
        case "DATA" -> data();
        case "BDAT" -> bdat(upper);
        case "RSET" -> {
          reset();
          reply("250 2.0.0 OK");
        }
        case "NOOP" -> reply("250 2.0.0 OK");
        case "QUIT" -> {
          reply("221 2.0.0 bye");
          throw new Closed();
        }
        default -> reply("500 5.5.2 unknown command");
      }
    }

    private void data() throws IOException, Closed {
      if (!mail || recipients == 0) {
        reply(mail ? "554 5.5.1 no valid recipients" : "503 5.5.1 MAIL first");
        return;
      }
      reply("354 end with <CRLF>.<CRLF>");
      if (silent) {
        return;
      }
      String messageId = null;
      boolean headers = true;
      while (true) {
        String line = readLine();
        if (line == null) {
          throw new Closed();
        }
        if (line.equals(".")) {
          break;
        }
        if (line.startsWith(".")) {
          line = line.substring(1);
        }
        if (headers) {
          if (line.isEmpty()) {
            headers = false;
          } else if (messageId == null && line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
            messageId = line.substring(11).trim();
          }
        }
      }
      endOfMessage(messageId);
    }

    private void bdat(String upper) throws IOException, Closed {
      String[] parts = upper.split("\\s+");
      int size = Integer.parseInt(parts[1]);
      boolean last = parts.length > 2 && parts[2].equals("LAST");
      byte[] bytes = in.readNBytes(size);
      if (bytes.length < size) {
        throw new Closed();
      }
      if (!mail || recipients == 0) {
        reset();
        reply(mail ? "554 5.5.1 no valid recipients" : "503 5.5.1 MAIL first");
        return;
      }
      if (chunks == null) {
        chunks = new ByteArrayOutputStream();
      }
      chunks.write(bytes);
      if (!last) {
        reply("250 2.0.0 " + size + " octets received");
        return;
      }
      endOfMessage(messageId(chunks.toString(StandardCharsets.ISO_8859_1)));
    }

    private String messageId(String message) {
      for (String line : message.split("\r\n", -1)) {
        if (line.isEmpty()) {
          return null;
        }
        if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
          return line.substring(11).trim();
        }
      }
      return null;
    }

    private void endOfMessage(String messageId) throws IOException, Closed {
      reset();
      Duration wait = mode == Mode.SLOW ? slowDelay : latency;
      if (!wait.isZero()) {
        out.flush();
        pause(wait);
      }
      Mode now = mode;
      if (now == Mode.BLACKHOLE || now == Mode.REFUSE) {
        silent = true;
        return;
      }
      if (!reply("250 2.0.0 queued")) {
        return;
      }
      out.flush();
      deliveries
          .computeIfAbsent(messageId == null ? NO_MESSAGE_ID : messageId, k -> new AtomicInteger())
          .incrementAndGet();
      delivered.incrementAndGet();
    }

    private void reset() {
      mail = false;
      recipients = 0;
      chunks = null;
    }

    /** Writes a reply unless the relay is silent now; 421 mode answers 421 and closes instead. */
    private boolean reply(String text) throws IOException, Closed {
      Mode now = mode;
      if (silent || now == Mode.BLACKHOLE) {
        silent = true;
        return false;
      }
      if (now == Mode.REPLY_421) {
        write("421 4.3.2 try later");
        out.flush();
        throw new Closed();
      }
      write(text);
      return true;
    }

    private void write(String text) throws IOException {
      out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One line without its CRLF, or null at the end of the stream. */
    private String readLine() throws IOException {
      if (in.available() == 0) {
        out.flush();
      }
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int n =
              bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        }
        line.write(b);
      }
      return null;
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
