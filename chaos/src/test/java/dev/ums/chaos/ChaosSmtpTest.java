package dev.ums.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ums.chaos.ChaosSmtp.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The scripted relay answers pipelined clients in order and counts deliveries per Message-ID. */
class ChaosSmtpTest {

  private static final String MESSAGE =
      "Message-ID: <a@x>\r\nSubject: t\r\n\r\n..dot-stuffed line\r\nbody\r\n";

  @Test
  void answers_a_pipelined_transaction_in_order_and_counts_the_delivery() throws Exception {
    try (ChaosSmtp smtp = ChaosSmtp.start(true);
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
      assertEquals(true, ehlo.toString().contains("PIPELINING"));
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
      // The relay counts just after its reply is flushed, so the client may read it first.
      ChaosRun.await(Duration.ofSeconds(5), () -> smtp.deliveries("<a@x>") == 2);
      assertEquals(2, smtp.deliveries("<a@x>"));
      assertEquals(1, smtp.duplicates());
    }
  }

  @Test
  void refuses_rcpt_in_a_451_storm_and_then_the_data_without_delivering() throws Exception {
    try (ChaosSmtp smtp = ChaosSmtp.start(false);
        Socket s = new Socket("127.0.0.1", smtp.port())) {
      smtp.mode(Mode.REPLY_451_RCPT);
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
    try (ChaosSmtp smtp = ChaosSmtp.start(true)) {
      smtp.mode(Mode.REFUSE);
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", smtp.port()).close());
      smtp.mode(Mode.BLACKHOLE);
      try (Socket s = new Socket("127.0.0.1", smtp.port())) {
        s.setSoTimeout(500);
        assertThrows(SocketTimeoutException.class, () -> reader(s).readLine());
      }
      smtp.mode(Mode.NORMAL);
      try (Socket s = new Socket("127.0.0.1", smtp.port())) {
        assertEquals("220", reader(s).readLine().substring(0, 3));
      }
    }
  }

  private static BufferedReader reader(Socket s) throws IOException {
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
