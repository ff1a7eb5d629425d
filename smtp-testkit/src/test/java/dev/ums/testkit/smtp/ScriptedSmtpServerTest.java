package dev.ums.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ums.testkit.smtp.ScriptedSmtpServer.Fault;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The scripted server over raw sockets: what its users rely on. */
class ScriptedSmtpServerTest {

  private static final String MESSAGE =
      "Message-ID: <a@x>\r\nSubject: t\r\n\r\n..dot-stuffed line\r\nbody\r\n";

  /** Tests that stop a relay rely on a closed one refusing connections. */
  @RepeatedTest(20)
  void a_closed_server_refuses_connections_at_once() throws Exception {
    ScriptedSmtpServer relay = ScriptedSmtpServer.start();
    int port = relay.port();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getInputStream().read(); // greeted: the acceptor is back in accept()
    }

    relay.close();

    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
  }

  @Test
  void the_sink_answers_a_fully_pipelined_conversation_in_one_turn_and_counts_ids()
      throws Exception {
    try (ScriptedSmtpServer sink = ScriptedSmtpServer.sink();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), sink.port())) {
      OutputStream out = s.getOutputStream();
      BufferedReader in = reader(s);
      // Everything in one write, two messages (one a duplicate id), then QUIT.
      String msg =
          "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@d.example>\r\nDATA\r\n"
              + "Subject: x\r\nmessage-id: <abc@ums.localhost>\r\n\r\nbody\r\n..dot\r\n.\r\n";
      send(out, "EHLO t\r\nNOOP\r\n" + msg + "RSET\r\n" + msg + "QUIT\r\n");
      List<String> codes = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.charAt(3) == ' ') {
          codes.add(line.substring(0, 3));
        }
      }
      assertEquals(
          List.of(
              "220", "250", "250", "250", "250", "250", "354", "250", "250", "250", "250", "250",
              "354", "250", "221"),
          codes);
      assertEquals(2, sink.deliveries());
      assertEquals(1, sink.distinct());
      assertEquals(1, sink.duplicates());
      assertEquals(2, sink.deliveries("<abc@ums.localhost>"));
      assertNotNull(sink.receivedAt("abc"));
      assertEquals(sink.receivedAt("abc"), sink.receivedAt("<abc@ums.localhost>"));
    }
  }

  @Test
  void the_sink_takes_bdat_chunks_split_across_writes_and_answers_once_the_chunk_is_complete()
      throws Exception {
    try (ScriptedSmtpServer sink = ScriptedSmtpServer.sink();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), sink.port())) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      BufferedReader in = reader(s);
      String body = "Subject: y\r\nMessage-ID: <bdat1@ums.localhost>\r\n\r\n.not stuffed\r\n";
      String head = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT " + body.length();
      send(out, "EHLO t\r\n");
      String line;
      while (!(line = in.readLine()).startsWith("250 ")) {
        assertNotNull(line);
      }
      send(out, head + " LAST\r\n" + body.substring(0, 20));
      send(out, body.substring(20) + "QUIT\r\n");
      List<String> codes = new ArrayList<>();
      while ((line = in.readLine()) != null) {
        if (line.charAt(3) == ' ') {
          codes.add(line.substring(0, 3));
        }
      }
      assertEquals(List.of("250", "250", "250", "221"), codes);
      assertEquals(1, sink.distinct());
      assertNotNull(sink.receivedAt("bdat1"));
    }
  }

  @Test
  void answers_a_pipelined_transaction_in_order_and_counts_the_delivery_before_replying()
      throws Exception {
    try (ScriptedSmtpServer smtp = chaosRelay();
        Socket s = new Socket("127.0.0.1", smtp.port())) {
      BufferedReader in = reader(s);
      OutputStream out = s.getOutputStream();
      assertEquals("220", in.readLine().substring(0, 3));
      send(out, "EHLO me\r\n");
      String line;
      StringBuilder ehlo = new StringBuilder();
      while ((line = in.readLine()).startsWith("250-")) {
        ehlo.append(line).append('\n');
      }
      assertTrue(ehlo.toString().contains("PIPELINING"));
      send(out, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n");
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("354", in.readLine().substring(0, 3));
      send(out, MESSAGE + ".\r\n");
      assertEquals("250", in.readLine().substring(0, 3));
      byte[] bytes = MESSAGE.getBytes(StandardCharsets.ISO_8859_1);
      send(out, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT " + bytes.length + " LAST\r\n");
      out.write(bytes);
      out.flush();
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("250", in.readLine().substring(0, 3));
      // Recorded when the server commits to its 250, before writing it.
      assertEquals(2, smtp.deliveries("<a@x>"));
      assertEquals(1, smtp.duplicates());
    }
  }

  @Test
  void refuses_rcpt_in_a_451_storm_and_then_the_data_without_delivering() throws Exception {
    try (ScriptedSmtpServer smtp = chaosRelay();
        Socket s = new Socket("127.0.0.1", smtp.port())) {
      smtp.rcptReply("451 4.7.1 try later");
      BufferedReader in = reader(s);
      in.readLine();
      send(s.getOutputStream(), "HELO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("250", in.readLine().substring(0, 3));
      assertEquals("451 4.7.1 try later", in.readLine());
      assertEquals("554", in.readLine().substring(0, 3));
      assertEquals(0, smtp.deliveries());
    }
  }

  @Test
  void refuses_connects_while_refusing_and_stays_silent_while_a_black_hole() throws Exception {
    try (ScriptedSmtpServer smtp = chaosRelay()) {
      smtp.fault(Fault.REFUSE);
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", smtp.port()).close());
      smtp.fault(Fault.BLACK_HOLE);
      try (Socket s = new Socket("127.0.0.1", smtp.port())) {
        s.setSoTimeout(500);
        assertThrows(SocketTimeoutException.class, () -> reader(s).readLine());
      }
      smtp.fault(Fault.NONE);
      try (Socket s = new Socket("127.0.0.1", smtp.port())) {
        assertEquals("220", reader(s).readLine().substring(0, 3));
      }
      assertEquals(2, smtp.connections()); // none while refusing
    }
  }

  @Test
  void without_keywords_ehlo_is_one_line_and_bdat_is_unknown() throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.builder().advertise().start();
        Socket s = new Socket("127.0.0.1", relay.port())) {
      BufferedReader in = reader(s);
      in.readLine();
      send(s.getOutputStream(), "EHLO me\r\n");
      assertEquals("250 scripted", in.readLine());
      send(s.getOutputStream(), "MAIL FROM:<a@x>\r\n");
      assertEquals("250", in.readLine().substring(0, 3));
      send(s.getOutputStream(), "BDAT 10 LAST\r\n");
      assertEquals("502", in.readLine().substring(0, 3));
      assertEquals(List.of("EHLO me", "MAIL FROM:<a@x>", "BDAT 10 LAST"), relay.commands());
    }
  }

  @Test
  void a_421_greeting_is_followed_by_the_server_hanging_up() throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()) {
      relay.greeting("421 4.3.2 Service not available");
      try (Socket s = new Socket("127.0.0.1", relay.port())) {
        BufferedReader in = reader(s);
        assertEquals("421 4.3.2 Service not available", in.readLine());
        assertNull(in.readLine());
      }
    }
  }

  @Test
  void a_drop_after_the_body_keeps_the_bytes_answers_nothing_and_counts_no_delivery()
      throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
        Socket s = new Socket("127.0.0.1", relay.port())) {
      relay.dropAfterBody(true);
      BufferedReader in = reader(s);
      in.readLine();
      send(s.getOutputStream(), "HELO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
      for (int i = 0; i < 4; i++) {
        in.readLine();
      }
      send(s.getOutputStream(), MESSAGE + ".\r\n");

      assertNull(in.readLine());
      assertEquals(1, relay.messages().size());
      assertEquals(MESSAGE, new String(relay.messages().get(0), StandardCharsets.ISO_8859_1));
      assertEquals(0, relay.deliveries());
      assertEquals(List.of(), relay.delivered());
    }
  }

  /** The chaos suite's relay: pipelining and chunking, no transcript. */
  private static ScriptedSmtpServer chaosRelay() throws IOException {
    return ScriptedSmtpServer.builder()
        .advertise("PIPELINING", "CHUNKING", "8BITMIME", "ENHANCEDSTATUSCODES")
        .transcript(false)
        .start();
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
