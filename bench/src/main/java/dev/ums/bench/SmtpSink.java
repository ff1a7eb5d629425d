package dev.ums.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fast SMTP server that accepts everything and keeps only counts and receive times. One thread
 * per connection (the harness never opens more than a few hundred).
 *
 * <p>Pipelining: it advertises {@code PIPELINING} and {@code CHUNKING} (RFC 3030 {@code BDAT}, as
 * Postfix, Exchange and Gmail do), processes every complete command already received, and answers
 * them in order in one write ("one client turn"); a {@code BDAT} chunk still arriving holds the
 * replies back until it is complete. With a {@link #delayMillis(long) delay}, each turn waits that
 * long before the replies go out, which simulates a relay's round trip.
 *
 * <p>For each accepted message it reads the {@code Message-ID} header and records the first receive
 * time ({@link System#nanoTime()}) under the id's local part (for UMS that is the message id
 * returned by the API). A second message with the same id counts as a duplicate.
 */
final class SmtpSink implements AutoCloseable {

  private static final byte[] GREETING = ascii("220 sink ESMTP ready\r\n");
  private static final String EHLO =
      "250-sink\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n";

  private final ServerSocket server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "smtp-sink");
            t.setDaemon(true);
            return t;
          });
  private volatile long delayMillis;
  private volatile boolean closed;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong withoutId = new AtomicLong();
  private final AtomicLong turns = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong firstAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAt = new AtomicLong(Long.MIN_VALUE);
  private final Map<String, Long> received = new ConcurrentHashMap<>();

  SmtpSink() throws IOException {
    server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "smtp-sink-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Simulated round trip: each turn waits this long before replying. */
  void delayMillis(long ms) {
    this.delayMillis = ms;
  }

  /** Forgets all counts and receive times (open connections stay). */
  void reset() {
    received.clear();
    accepted.set(0);
    duplicates.set(0);
    withoutId.set(0);
    turns.set(0);
    connections.set(0);
    firstAt.set(Long.MAX_VALUE);
    lastAt.set(Long.MIN_VALUE);
  }

  long accepted() {
    return accepted.get();
  }

  long unique() {
    return received.size();
  }

  long duplicates() {
    return duplicates.get();
  }

  long withoutId() {
    return withoutId.get();
  }

  long turns() {
    return turns.get();
  }

  long connections() {
    return connections.get();
  }

  /** nanoTime of the first accepted message since the last reset. */
  long firstAt() {
    return firstAt.get();
  }

  /** nanoTime of the last accepted message since the last reset. */
  long lastAt() {
    return lastAt.get();
  }

  /** nanoTime when the message with this id (local part) first arrived, or null. */
  Long receivedAt(String idLocalPart) {
    return received.get(idLocalPart);
  }

  /** Waits until {@code unique() >= n} or the timeout passes; returns whether it got there. */
  boolean awaitUnique(long n, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (unique() < n) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("sink: accept failed: " + e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      new Session(socket.getInputStream(), socket.getOutputStream()).run();
    } catch (IOException e) {
      // client went away; nothing to record
    }
  }

  private void accept(String messageId) {
    long now = System.nanoTime();
    accepted.incrementAndGet();
    firstAt.accumulateAndGet(now, Math::min);
    lastAt.accumulateAndGet(now, Math::max);
    if (messageId == null) {
      withoutId.incrementAndGet();
    } else if (received.putIfAbsent(messageId, now) != null) {
      duplicates.incrementAndGet();
    }
  }

  /** One SMTP conversation. Not thread-safe; one per connection. */
  private final class Session {
    private final InputStream in;
    private final OutputStream out;
    private final StringBuilder replies = new StringBuilder(256);
    private byte[] buf = new byte[64 * 1024];
    private int start;
    private int end;
    private boolean data;
    private boolean headers;
    private boolean quit;
    private int recipients;
    private boolean mail;
    private int bdatLeft;
    private boolean bdatLast;
    private String messageId;

    Session(InputStream in, OutputStream out) {
      this.in = in;
      this.out = out;
    }

    void run() throws IOException {
      pause();
      out.write(GREETING);
      out.flush();
      turns.incrementAndGet();
      while (!quit) {
        while (!quit) {
          if (bdatLeft > 0) {
            if (!bdatStep()) {
              break; // the rest of the chunk is still on its way
            }
            continue;
          }
          int nl = indexOfNewline();
          if (nl < 0) {
            break;
          }
          int lineEnd = nl > start && buf[nl - 1] == '\r' ? nl - 1 : nl;
          if (data) {
            dataLine(start, lineEnd);
          } else {
            command(new String(buf, start, lineEnd - start, StandardCharsets.ISO_8859_1));
          }
          start = nl + 1;
        }
        compact();
        // Reply once everything the client has sent so far is answered: one turn.
        if (replies.length() > 0 && bdatLeft == 0 && (quit || in.available() == 0)) {
          pause();
          out.write(ascii(replies.toString()));
          out.flush();
          replies.setLength(0);
          turns.incrementAndGet();
        }
        if (quit) {
          return;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
          return;
        }
        end += n;
      }
    }

    private void pause() {
      long d = delayMillis;
      if (d > 0) {
        try {
          Thread.sleep(d);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private int indexOfNewline() {
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          return i;
        }
      }
      return -1;
    }

    private void compact() {
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
      }
      if (end == buf.length) { // a line longer than the buffer
        byte[] bigger = new byte[buf.length * 2];
        System.arraycopy(buf, 0, bigger, 0, end);
        buf = bigger;
      }
    }

    private void command(String line) {
      String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
      switch (verb) {
        case "EHLO" -> {
          reset();
          replies.append(EHLO);
        }
        case "HELO" -> {
          reset();
          replies.append("250 sink\r\n");
        }
        case "MAIL" -> {
          reset();
          mail = true;
          replies.append("250 2.1.0 OK\r\n");
        }
        case "RCPT" -> {
          if (mail) {
            recipients++;
            replies.append("250 2.1.5 OK\r\n");
          } else {
            replies.append("503 5.5.1 MAIL first\r\n");
          }
        }
        case "DATA" -> {
          if (recipients > 0) {
            data = true;
            headers = true;
            messageId = null;
            replies.append("354 End data with <CR><LF>.<CR><LF>\r\n");
          } else {
            replies.append("503 5.5.1 RCPT first\r\n");
          }
        }
        case "BDAT" -> {
          String[] parts = line.trim().split("\\s+");
          bdatLeft = parts.length >= 2 ? Integer.parseInt(parts[1]) : 0;
          bdatLast = parts.length >= 3 && parts[2].equalsIgnoreCase("LAST");
          headers = true;
          messageId = null;
          if (bdatLeft == 0) {
            bdatDone();
          }
        }
        case "RSET" -> {
          reset();
          replies.append("250 2.0.0 OK\r\n");
        }
        case "NOOP" -> replies.append("250 2.0.0 OK\r\n");
        case "QUIT" -> {
          replies.append("221 2.0.0 Bye\r\n");
          quit = true;
        }
        default -> replies.append("502 5.5.2 Command not implemented\r\n");
      }
    }

    private void reset() {
      mail = false;
      recipients = 0;
    }

    /** Takes the next part of a BDAT chunk; false when more input is needed first. */
    private boolean bdatStep() {
      int avail = Math.min(end - start, bdatLeft);
      if (avail == 0) {
        return false;
      }
      int take = avail;
      if (headers) {
        int nl = -1;
        for (int i = start; i < start + avail; i++) {
          if (buf[i] == '\n') {
            nl = i;
            break;
          }
        }
        if (nl >= 0) {
          headerLine(start, nl > start && buf[nl - 1] == '\r' ? nl - 1 : nl);
          take = nl + 1 - start;
        } else if (avail < bdatLeft) {
          return false; // a header line split across reads: wait for the rest
        }
      }
      start += take;
      bdatLeft -= take;
      if (bdatLeft == 0) {
        bdatDone();
      }
      return true;
    }

    private void bdatDone() {
      if (recipients == 0) {
        replies.append("554 5.5.1 no valid recipients\r\n");
      } else if (bdatLast) {
        reset();
        accept(messageId);
        replies.append("250 2.0.0 Queued\r\n");
      } else {
        replies.append("250 2.0.0 chunk OK\r\n");
      }
    }

    private void dataLine(int from, int to) {
      int len = to - from;
      if (len == 1 && buf[from] == '.') {
        data = false;
        reset();
        accept(messageId);
        replies.append("250 2.0.0 Queued\r\n");
        return;
      }
      if (headers) {
        headerLine(from, to);
      }
    }

    private void headerLine(int from, int to) {
      int len = to - from;
      if (len == 0) {
        headers = false;
      } else if (len > 11 && regionMatchesIgnoreCase(from, "message-id:")) {
        messageId =
            localPart(new String(buf, from + 11, len - 11, StandardCharsets.ISO_8859_1).trim());
      }
    }

    private boolean regionMatchesIgnoreCase(int from, String lower) {
      for (int i = 0; i < lower.length(); i++) {
        if (Character.toLowerCase((char) buf[from + i]) != lower.charAt(i)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code <abc@host>} → {@code abc}. */
  static String localPart(String messageId) {
    int lt = messageId.indexOf('<');
    int at = messageId.indexOf('@', lt + 1);
    int gt = messageId.indexOf('>', lt + 1);
    int endIdx = at >= 0 ? at : gt >= 0 ? gt : messageId.length();
    return messageId.substring(lt + 1, endIdx);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
