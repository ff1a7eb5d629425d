package dev.ums.testing;

import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.webhook.WebhookDispatcher;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * Puts the state that test classes share through a cached context back before each test: the
 * message, outbox, send_failure and idempotency tables emptied ({@link Db#clean()}), the {@link
 * TestClock} at real time and, where the context runs a dispatcher, the {@link TestSmtp} mailboxes
 * purged. After each test the clock is put back again, so a moved or frozen time never reaches the
 * context's schedules while it waits in the cache for its next class.
 *
 * <p>Registered by {@link UmsIntegrationTest} and {@link DispatchIntegrationTest}, so every class
 * on those contexts starts from the same state; a class's own {@code @BeforeEach} runs after this
 * one and holds only what is particular to it.
 *
 * <p>In a dispatch context the reset runs with the context's dispatcher stopped and starts it again
 * afterwards: a send still in flight from the test before would otherwise land in the relay after
 * the purge, and the dispatcher is always running when a test begins, even if a class that stopped
 * it did not get to restart it.
 */
public class UmsReset implements BeforeEachCallback, AfterEachCallback {

  @Override
  public void beforeEach(ExtensionContext context) {
    ApplicationContext app = SpringExtension.getApplicationContext(context);
    OutboxDispatcher dispatcher = app.getBeanProvider(OutboxDispatcher.class).getIfAvailable();
    if (dispatcher == null) {
      reset(app);
      return;
    }
    dispatcher.stop();
    try {
      reset(app);
      TestSmtp.purge();
    } finally {
      dispatcher.start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    SpringExtension.getApplicationContext(context).getBean(TestClock.class).reset();
  }

  private static void reset(ApplicationContext app) {
    // The webhook relay holds row locks on the event tables; TRUNCATE must not wait for them.
    WebhookDispatcher webhooks = app.getBeanProvider(WebhookDispatcher.class).getIfAvailable();
    try {
      if (webhooks != null) {
        webhooks.pause(Duration.ofSeconds(5));
      }
      app.getBean(Db.class).clean();
      app.getBean(TestClock.class).reset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (webhooks != null) {
        webhooks.resume();
      }
    }
  }
}
