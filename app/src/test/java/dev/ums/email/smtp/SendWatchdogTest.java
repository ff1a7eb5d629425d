package dev.ums.email.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.email.SendResult;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SendWatchdogTest {

  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  /** A connection that only records being aborted. */
  private static final class Connection implements SmtpConnection {
    final CountDownLatch aborted = new CountDownLatch(1);

    @Override
    public SendResult send(MimeMessage mime, Address[] envelope) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean reusable() {
      return false;
    }

    @Override
    public boolean safeToRetry() {
      return false;
    }

    @Override
    public boolean alive() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public void abort() {
      aborted.countDown();
    }

    boolean wasAborted(long seconds) throws InterruptedException {
      return aborted.await(seconds, TimeUnit.SECONDS);
    }
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void aborts_a_send_past_its_deadline_and_leaves_one_that_ended_in_time() throws Exception {
    try (SendWatchdog dog = new SendWatchdog()) {
      Connection ended = new Connection();
      SendWatchdog.Watch early = dog.watch(in(Duration.ofMillis(100)));
      early.attach(ended);
      early.attach(null);
      early.cancel();
      Connection late = new Connection();
      SendWatchdog.Watch running = dog.watch(in(Duration.ofMillis(300)));
      running.attach(late);

      assertThat(late.wasAborted(10)).isTrue();
      assertThat(running.fired()).isTrue();
      // The tick that aborted the later send had passed the earlier deadline too.
      assertThat(ended.aborted.getCount()).isEqualTo(1);
      assertThat(early.fired()).isFalse();
    }
  }

  @Test
  void a_connection_attached_after_the_deadline_is_aborted_at_once() throws Exception {
    try (SendWatchdog dog = new SendWatchdog()) {
      SendWatchdog.Watch w = dog.watch(in(Duration.ofMillis(1)));
      await().atMost(Duration.ofSeconds(10)).until(w::fired);
      Connection c = new Connection();

      w.attach(c);

      assertThat(c.wasAborted(10)).isTrue();
    }
  }

  @Test
  void its_thread_starts_with_the_first_watched_send_and_ends_after_close() {
    SendWatchdog dog = new SendWatchdog();
    assertThat(dog.ticking()).isFalse();
    SendWatchdog.Watch w = dog.watch(System.nanoTime() + MINUTE);
    assertThat(dog.ticking()).isTrue();

    dog.close();
    assertThat(dog.ticking()).isTrue(); // a send still running keeps its deadline
    w.cancel();

    await().atMost(Duration.ofSeconds(10)).until(() -> !dog.ticking());
    dog.watch(System.nanoTime() + MINUTE); // after close: not watched, no new thread
    assertThat(dog.ticking()).isFalse();
  }

  @Test
  void a_send_running_when_the_pool_closes_is_still_aborted_at_its_deadline() throws Exception {
    SendWatchdog dog = new SendWatchdog();
    Connection c = new Connection();
    dog.watch(in(Duration.ofMillis(200))).attach(c);

    dog.close();

    assertThat(c.wasAborted(10)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !dog.ticking());
  }
}
