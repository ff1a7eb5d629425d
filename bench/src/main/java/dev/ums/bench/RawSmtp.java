package dev.ums.bench;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** SMTP clients without UMS: the ceilings that UMS's dispatch is compared with. */
final class RawSmtp {

  private RawSmtp() {}

  /**
   * Plain Jakarta Mail (Angus): {@code threads} threads, each with one connected {@link Transport}
   * reused for every message, send {@code n} messages in all. The message has the same shape as
   * UMS's (multipart/alternative, text + HTML, one recipient).
   */
  static void jakartaMail(int port, int threads, int n) throws Exception {
    Session session = session(port);
    AtomicInteger next = new AtomicInteger();
    runAll(
        threads,
        () -> {
          Transport t = session.getTransport("smtp");
          t.connect();
          try {
            int i;
            while ((i = next.getAndIncrement()) < n) {
              MimeMessage m = message(session, i);
              t.sendMessage(m, m.getAllRecipients());
            }
          } finally {
            t.close();
          }
          return null;
        });
  }

  /**
   * The Jakarta Mail session every Jakarta Mail client in the harness uses (the raw ceiling and the
   * peers): the sink on loopback, TCP_NODELAY, no QUIT wait.
   */
  static Session session(int port) {
    Properties p = new Properties();
    p.setProperty("mail.smtp.host", "127.0.0.1");
    p.setProperty("mail.smtp.port", Integer.toString(port));
    p.setProperty("mail.smtp.quitwait", "false");
    p.setProperty("mail.smtp.connectiontimeout", "5000");
    p.setProperty("mail.smtp.timeout", "30000");
    // As UMS does: TCP_NODELAY, or Nagle holds each DATA tail for the sink's delayed ACK.
    p.put(
        "mail.smtp.socketFactory",
        new javax.net.SocketFactory() {
          @Override
          public java.net.Socket createSocket() throws java.io.IOException {
            java.net.Socket s = new java.net.Socket();
            s.setTcpNoDelay(true);
            return s;
          }

          @Override
          public java.net.Socket createSocket(String h, int port) throws java.io.IOException {
            return connected(new java.net.InetSocketAddress(h, port), null);
          }

          @Override
          public java.net.Socket createSocket(String h, int port, InetAddress l, int lp)
              throws java.io.IOException {
            return connected(
                new java.net.InetSocketAddress(h, port), new java.net.InetSocketAddress(l, lp));
          }

          @Override
          public java.net.Socket createSocket(InetAddress h, int port) throws java.io.IOException {
            return connected(new java.net.InetSocketAddress(h, port), null);
          }

          @Override
          public java.net.Socket createSocket(InetAddress h, int port, InetAddress l, int lp)
              throws java.io.IOException {
            return connected(
                new java.net.InetSocketAddress(h, port), new java.net.InetSocketAddress(l, lp));
          }

          private java.net.Socket connected(
              java.net.InetSocketAddress to, java.net.InetSocketAddress local)
              throws java.io.IOException {
            java.net.Socket s = createSocket();
            if (local != null) {
              s.bind(local);
            }
            s.connect(to);
            return s;
          }
        });
    // The same Jakarta Mail 2.1 work-around UMS applies (see JakartaMailTuning): without it every
    // body part triggers a ServiceLoader scan, and the "ceiling" would be set artificially low.
    if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
      System.setProperty(
          "jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
    }
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session session, int i) throws MessagingException {
    return message(session, i, UUID.randomUUID().toString());
  }

  /**
   * The bench email (multipart/alternative, text + HTML, one recipient) with {@code Message-ID:
   * <idLocalPart@raw.bench>}; the sink keys exactly-once on {@code idLocalPart}. The peers pass a
   * UUID too, so their emails have the same size and headers as the raw ceiling's.
   */
  static MimeMessage message(Session session, int i, String idLocalPart) throws MessagingException {
    String id = "<" + idLocalPart + "@raw.bench>";
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
          }
        };
    m.setFrom(new InternetAddress("no-reply@ums.localhost"));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress("user" + i + "@example.com"));
    m.setSubject("Your order " + i + " has shipped", "UTF-8");
    MimeBodyPart text = new MimeBodyPart();
    text.setText(
        "Hello, your order " + i + " is on its way. Thanks for shopping with us.", "UTF-8");
    MimeBodyPart html = new MimeBodyPart();
    html.setText("<p>Hello, your order <b>" + i + "</b> is on its way.</p>", "UTF-8", "html");
    MimeMultipart alt = new MimeMultipart("alternative", text, html);
    m.setContent(alt);
    m.saveChanges();
    return m;
  }

  /**
   * The sink's own ceiling: hand-written SMTP over raw sockets, {@code threads} connections, {@code
   * n} messages in all. MAIL, RCPT and DATA go in one write (pipelined), the body in a second: two
   * client turns per message.
   */
  static void blast(int port, int threads, int n) throws Exception {
    AtomicInteger next = new AtomicInteger();
    byte[] envelope =
        "MAIL FROM:<no-reply@ums.localhost>\r\nRCPT TO:<user@example.com>\r\nDATA\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    runAll(
        threads,
        () -> {
          try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            reply(in);
            out.write("EHLO blaster\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in);
            int i;
            while ((i = next.getAndIncrement()) < n) {
              out.write(envelope);
              out.flush();
              expect(reply(in), '2');
              expect(reply(in), '2');
              expect(reply(in), '3');
              String body =
                  "Message-ID: <raw-"
                      + i
                      + "-"
                      + UUID.randomUUID()
                      + "@blast.bench>\r\nSubject: raw "
                      + i
                      + "\r\n\r\nHello "
                      + i
                      + "\r\n.\r\n";
              out.write(body.getBytes(StandardCharsets.US_ASCII));
              out.flush();
              expect(reply(in), '2');
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          return null;
        });
  }

  private static String reply(BufferedReader in) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }

  private static void expect(String reply, char first) throws IOException {
    if (reply.isEmpty() || reply.charAt(0) != first) {
      throw new IOException("unexpected reply: " + reply);
    }
  }

  interface Job {
    Void run() throws Exception;
  }

  /** Runs {@code job} on {@code threads} threads and rethrows the first failure. */
  static void runAll(int threads, Job job) throws Exception {
    List<Thread> ts = new ArrayList<>();
    List<Exception> errors = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  job.run();
                } catch (Exception e) {
                  synchronized (errors) {
                    errors.add(e);
                  }
                }
              },
              "bench-" + t);
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }
}
