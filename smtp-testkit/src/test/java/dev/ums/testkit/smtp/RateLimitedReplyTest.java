package dev.ums.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The quota script: a sliding one-second window for the covered domain only. */
class RateLimitedReplyTest {

  static final String TOO_MANY = "421 4.7.0 Too many messages";

  @Test
  void accepts_the_limit_per_second_for_its_domain_refuses_the_rest_and_ignores_others() {
    AtomicLong now = new AtomicLong(5_000_000_000L);
    RateLimitedReply reply =
        new RateLimitedReply(3, line -> line.contains("@slow.example>"), TOO_MANY, now::get);
    String slow = "RCPT TO:<a@slow.example>";
    String other = "RCPT TO:<a@fast.example>";

    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    now.addAndGet(400_000_000L);
    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    assertEquals(TOO_MANY, reply.apply(slow));
    assertEquals("250 2.1.5 Ok", reply.apply(other));
    // One second after the first acceptance, one slot is free again; the other two are not yet.
    now.addAndGet(600_000_000L);
    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    assertEquals(TOO_MANY, reply.apply(slow));
    now.addAndGet(400_000_000L);
    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    assertEquals("250 2.1.5 Ok", reply.apply(slow));
    assertEquals(TOO_MANY, reply.apply(slow));

    assertEquals(6, reply.accepted());
    assertEquals(3, reply.refused());
  }

  @Test
  void for_domain_matches_the_exact_domain_case_ignored_and_the_server_hangs_up_after_it()
      throws Exception {
    RateLimitedReply reply = RateLimitedReply.forDomain("Slow.Example", 1, TOO_MANY);
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
      relay.rcptReply(reply);
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      in.readLine(); // greeting
      out.write("HELO t\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.readLine();
      String[] sends = {
        "MAIL FROM:<x@y.example>",
        "RCPT TO:<a@SLOW.example>",
        "RCPT TO:<b@notslow.example>",
        "RCPT TO:<c@sub.slow.example>",
        "RCPT TO:<d@slow.example>"
      };
      String[] expected = {"250", "250", "250", "250", "421"};
      for (int i = 0; i < sends.length; i++) {
        out.write((sends[i] + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals(expected[i], in.readLine().substring(0, 3), sends[i]);
      }
      assertEquals(null, in.readLine()); // hung up after the 421
    }
    assertEquals(1, reply.accepted());
    assertEquals(1, reply.refused());
  }
}
