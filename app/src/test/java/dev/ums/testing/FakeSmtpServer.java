package dev.ums.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny scripted SMTP server for failure cases GreenMail cannot produce: chosen replies to MAIL,
 * RCPT and DATA, or silence (accepts the connection, never answers).
 */
public final class FakeSmtpServer implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> clients = new CopyOnWriteArrayList<>();
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger accepted = new AtomicInteger();

  public volatile boolean silent;
  public volatile String greeting = "220 fake ESMTP";
  public volatile String mailReply = "250 2.1.0 Ok";
  public volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 Ok";

  /** Reply to the end of DATA; null: never answer it. */
  public volatile String dataReply = "250 2.0.0 Ok: queued";

  /** How long to wait before every reply (a relay that is slow at each step). */
  public volatile long replyDelayMillis;

  /** How long to wait before answering the end of DATA (a slow relay). */
  public volatile long dataDelayMillis;

  /** The Message-ID header of every message answered with 2xx, one entry per delivery. */
  public final List<String> delivered = new CopyOnWriteArrayList<>();

  private final Thread acceptor;
  private volatile boolean closed;

  public FakeSmtpServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "fake-smtp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Settings of a plain-SMTP client of this server with these timeouts and connections. */
  public dev.ums.email.SmtpProperties client(
      java.time.Duration connect,
      java.time.Duration read,
      java.time.Duration write,
      int maxConnections) {
    return new dev.ums.email.SmtpProperties(
        "127.0.0.1",
        port(),
        null,
        null,
        dev.ums.email.SmtpProperties.Tls.NONE,
        null,
        connect,
        read,
        write,
        maxConnections,
        "ums.test");
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        if (closed) {
          s.close(); // accepted while closing: a closed server answers nothing
          return;
        }
        clients.add(s);
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "fake-smtp-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      if (silent) {
        while (in.read() >= 0) {
          // hold the connection open and say nothing
        }
        return;
      }
      reply(out, greeting);
      String line;
      while ((line = in.readLine()) != null) {
        String cmd = line.toUpperCase(Locale.ROOT);
        if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
          reply(out, "250 fake");
        } else if (cmd.startsWith("MAIL")) {
          reply(out, mailReply);
        } else if (cmd.startsWith("RCPT")) {
          reply(out, rcptReply.apply(line));
        } else if (cmd.equals("DATA")) {
          reply(out, "354 End data with <CR><LF>.<CR><LF>");
          String messageId = null;
          while ((line = in.readLine()) != null && !line.equals(".")) {
            if (messageId == null && line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
              messageId = line.substring(11).strip();
            }
          }
          String r = dataReply;
          if (r == null) {
            continue; // swallow the end of data and never answer
          }
          if (dataDelayMillis > 0) {
            try {
              Thread.sleep(dataDelayMillis); // the relay's own processing time
            } catch (InterruptedException e) {
              return;
            }
          }
          if (r.startsWith("2")) {
            accepted.incrementAndGet();
            delivered.add(String.valueOf(messageId));
          }
          reply(out, r);
        } else if (cmd.startsWith("RSET") || cmd.startsWith("NOOP")) {
          reply(out, "250 2.0.0 Ok");
        } else if (cmd.startsWith("QUIT")) {
          reply(out, "221 2.0.0 Bye");
          return;
        } else {
          reply(out, "502 5.5.2 Command not recognized");
        }
      }
    } catch (IOException e) {
      // client went away
    }
  }

  private void reply(OutputStream out, String line) throws IOException {
    if (replyDelayMillis > 0) {
      try {
        Thread.sleep(replyDelayMillis);
      } catch (InterruptedException e) {
        throw new IOException("interrupted", e);
      }
    }
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Closes every open client connection; the server keeps listening. */
  public void dropClients() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
  }

  /**
   * Stops listening. Returns only once the port refuses connections: the JDK defers closing a
   * listening socket until the thread blocked in its {@code accept()} has left it, and until then
   * new connections would still be accepted.
   */
  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Socket s : clients) {
      s.close();
    }
  }
}
