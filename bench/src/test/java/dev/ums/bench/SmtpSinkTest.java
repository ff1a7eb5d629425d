package dev.ums.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpSinkTest {

  @Test
  void answers_a_fully_pipelined_conversation_in_order_and_counts_ids() throws Exception {
    try (SmtpSink sink = new SmtpSink();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), sink.port())) {
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      // Everything in one write, two messages (one a duplicate id), then QUIT.
      String msg =
          "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@d.example>\r\nDATA\r\n"
              + "Subject: x\r\nmessage-id: <abc@ums.localhost>\r\n\r\nbody\r\n..dot\r\n.\r\n";
      out.write(
          ("EHLO t\r\nNOOP\r\n" + msg + "RSET\r\n" + msg + "QUIT\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
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
      assertEquals(2, sink.accepted());
      assertEquals(1, sink.unique());
      assertEquals(1, sink.duplicates());
      assertNotNull(sink.receivedAt("abc"));
    }
  }

  @Test
  void takes_bdat_chunks_split_across_writes_and_answers_once_the_chunk_is_complete()
      throws Exception {
    try (SmtpSink sink = new SmtpSink();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), sink.port())) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String body = "Subject: y\r\nMessage-ID: <bdat1@ums.localhost>\r\n\r\n.not stuffed\r\n";
      String head = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT " + body.length();
      out.write(("EHLO t\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      List<String> codes = new ArrayList<>();
      String line;
      while (!(line = in.readLine()).startsWith("250 ")) {
        assertNotNull(line);
      }
      out.write((head + " LAST\r\n" + body.substring(0, 20)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      out.write((body.substring(20) + "QUIT\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      while ((line = in.readLine()) != null) {
        if (line.charAt(3) == ' ') {
          codes.add(line.substring(0, 3));
        }
      }
      assertEquals(List.of("250", "250", "250", "221"), codes);
      assertEquals(1, sink.unique());
      assertNotNull(sink.receivedAt("bdat1"));
    }
  }
}
