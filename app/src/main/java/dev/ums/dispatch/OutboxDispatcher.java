package dev.ums.dispatch;

import dev.ums.bounce.ReturnPath;
import dev.ums.delivery.DeliveryControl;
import dev.ums.email.Email;
import dev.ums.email.EmailSender;
import dev.ums.email.SendNotStarted;
import dev.ums.email.SendResult;
import dev.ums.email.SmtpSendException;
import dev.ums.ledger.Claim;
import dev.ums.ledger.FailureClass;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Outcome;
import dev.ums.message.MailContent;
import dev.ums.security.ContentCipher;
import dev.ums.suppression.HardBounce;
import dev.ums.suppression.Suppressions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery loop of one instance. A loop thread claims batches of due outbox rows (short
 * transaction, see {@link Ledger#claim}) and hands each claimed message to the sender pool once the
 * claim has committed; no connection or transaction is held while SMTP talks. Outcomes are queued
 * and a writer thread records them in batches, each batch one transaction.
 *
 * <p>Wake-ups: {@link #wake()} (called after a local intake commit, or on a NOTIFY from another
 * instance) makes the loop claim at once; otherwise it polls every {@code poll-interval}. While
 * claims come back full it keeps claiming without waiting, bounded by the in-flight limit.
 *
 * <p>Leases: an instance holds at most {@code workers + prefetch} claimed rows not yet sent, so a
 * row waits in this JVM for about one send before a worker takes it. Rows already sent whose
 * results are not yet written are bounded apart (four times that), so a worker never waits for a
 * write before its next row. A row is never handed to the relay after its lease: the send starts
 * only if at least {@link EmailSender#sendBudget()} (connect + read + write timeouts) is left
 * before the lease end minus a safety margin (for clocks of other instances that may reap it), and
 * a send still running then is aborted. A row that cannot start in time goes back to the queue
 * unsent, its attempt given back. Claims are sized this way instead of renewing leases, so no
 * renewal is ever needed; start-up refuses a lease shorter than 1.5 × the send budget.
 *
 * <p>Suppression: just before a send, the message's recipients are looked up on its client's
 * suppression list again (it may have changed since intake). Suppressed ones are left out of the
 * envelope and recorded with the refused recipients (code 0); when none is left the message is
 * recorded SUPPRESSED without an attempt. A recipient the relay refuses permanently for its address
 * (a 5.1.x enhanced status, {@link HardBounce}) is added to the list as a hard bounce before the
 * outcome is queued; a crash in between only means the next send to it is refused again.
 *
 * <p>Relay outages: a {@link RelayBreaker} stops claiming when most recent attempts failed for
 * relay-wide reasons, sends one probe at growing intervals, and resumes by itself. Those failures
 * are not charged to the messages.
 *
 * <p>Delivery control: when {@link DeliveryControl} is active, each claim goes through it, which
 * claims only rows it holds send tokens for (global rate, per-rule rates and connection caps,
 * client shares) and says how long to wait for the next budget. A rate-limit reply from the relay
 * lowers the rule's rate and puts the message back without charging an attempt; it does not count
 * towards the relay breaker, since the relay is up and answering.
 *
 * <p>Kafka mode: with a {@link ClaimSource} the claims come from the hand-off topic instead of the
 * claim statement (already claimed and leased by the relay); everything after the claim (lease
 * checks, suppression, sending, outcomes, the writer, the breaker) is the same, and the source is
 * told which claims' results are committed so it can commit their offsets. A rule's connection cap
 * is held per send instead of per claim ({@link DeliveryControl#startSend}): a claim whose rule
 * already has its cap of sends in flight here is not sent but given back to the queue for {@code
 * ums.delivery.adaptive.retry-after}, uncharged, so no worker ever waits for a slot and other
 * destinations' mail is never held behind a capped one.
 *
 * <p>Failure modes: if the process dies, its claimed rows stay leased until {@code lease} passes,
 * then the reaper returns them (they may be sent again: at-least-once, bounded by what was in
 * flight: rows being sent, and sent rows whose results were not yet written). If recording results
 * fails (database away), the writer retries until it succeeds, holding the results and claiming
 * nothing new; the write is a compare-and-set on the claim token, so a retry never applies twice,
 * and the reaper's grace after a database failure lets it land first. On {@link #stop()} it stops
 * claiming, lets running sends finish within {@code shutdown-timeout}, and releases claimed rows
 * that were never attempted.
 */
public class OutboxDispatcher implements SmartLifecycle, Wakeable {

  private static final Logger log = LoggerFactory.getLogger(OutboxDispatcher.class);

  private final Ledger ledger;
  private final EmailSender sender;
  private final Executor workers;
  private final RetryPolicy retry;
  private final DispatchProperties props;
  private final String instanceId;
  private final String messageIdDomain;
  private final String bounceDomain;
  private final JsonMapper json;
  private final ObjectReader contentReader;
  private final ContentCipher cipher;
  private final Clock clock;
  private final RelayBreaker breaker;
  private final long marginNanos;
  private final DeliveryControl control;
  private final Suppressions suppressions;
  private final ClaimSource source;
  private volatile DispatchListener listener = DispatchListener.NONE;

  private final Semaphore wakeUp = new Semaphore(0);
  private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

  /** Claimed rows whose outcome is not yet recorded. */
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Claimed rows not yet attempted or still being sent: what the lease bound is about. */
  private final AtomicInteger unsent = new AtomicInteger();

  private final AtomicInteger activeSends = new AtomicInteger();

  private final int maxInFlight;

  /** Claimed rows whose results are not recorded yet, sent ones included: a memory bound. */
  private final int maxUnrecorded;

  static final int UNRECORDED_PER_IN_FLIGHT = 4;
  private volatile boolean running;

  /**
   * True from start until the claim loop has ended. The writer runs while this is true or results
   * are unrecorded: {@link #running} alone is not enough, as a claim that returns after a stop
   * still hands rows to the workers, whose results must be written.
   */
  private volatile boolean claiming;

  private volatile boolean stopping;
  private volatile Instant lastLoopAt;
  private Thread loopThread;
  private Thread writerThread;

  public OutboxDispatcher(
      Ledger ledger,
      EmailSender sender,
      Executor workers,
      RetryPolicy retry,
      DispatchProperties props,
      String instanceId,
      String messageIdDomain,
      JsonMapper json,
      ContentCipher cipher,
      Clock clock) {
    this(
        ledger,
        sender,
        workers,
        retry,
        props,
        instanceId,
        messageIdDomain,
        json,
        cipher,
        clock,
        null,
        null);
  }

  /**
   * As above, with delivery control (null or inactive: every claim is the plain one) and a
   * suppression list checked before each send, to which hard bounces are added (null: tests of
   * delivery alone, every recipient is sent to).
   */
  public OutboxDispatcher(
      Ledger ledger,
      EmailSender sender,
      Executor workers,
      RetryPolicy retry,
      DispatchProperties props,
      String instanceId,
      String messageIdDomain,
      JsonMapper json,
      ContentCipher cipher,
      Clock clock,
      DeliveryControl control,
      Suppressions suppressions) {
    this(
        ledger,
        sender,
        workers,
        retry,
        props,
        instanceId,
        messageIdDomain,
        json,
        cipher,
        clock,
        control,
        suppressions,
        null,
        null);
  }

  /**
   * As above; with a {@code bounceDomain}, each message's envelope sender is its own return path
   * ({@link ReturnPath}, {@code ums.mail.bounce-domain}), without one it is the {@code From}
   * address. With a {@code source}, claims come from it instead of the dispatcher's own claim
   * statement (null: the outbox, through delivery control when active); delivery control's budgets
   * are then applied by whoever fills it (the Kafka relay), and here a rate-limit reply still cuts
   * its rule's rate, fleet-wide through the shared budget store, and puts the message back
   * uncharged; connection caps are held here, per send (see the class comment).
   */
  public OutboxDispatcher(
      Ledger ledger,
      EmailSender sender,
      Executor workers,
      RetryPolicy retry,
      DispatchProperties props,
      String instanceId,
      String messageIdDomain,
      JsonMapper json,
      ContentCipher cipher,
      Clock clock,
      DeliveryControl control,
      Suppressions suppressions,
      String bounceDomain,
      ClaimSource source) {
    this.source = source;
    this.bounceDomain = bounceDomain == null || bounceDomain.isBlank() ? null : bounceDomain;
    this.control = control != null && control.active() ? control : null;
    this.suppressions = suppressions;
    this.cipher = cipher;
    this.ledger = ledger;
    this.sender = sender;
    this.workers = workers;
    this.retry = retry;
    this.props = props;
    this.instanceId = instanceId;
    this.messageIdDomain = messageIdDomain;
    this.json = json;
    this.contentReader = json.readerFor(MailContent.class);
    this.clock = clock;
    this.maxInFlight = props.maxInFlight();
    this.maxUnrecorded = UNRECORDED_PER_IN_FLIGHT * maxInFlight;
    this.breaker = new RelayBreaker(props.breaker(), clock);
    Duration margin = min(LEASE_MARGIN, props.lease().dividedBy(10));
    this.marginNanos = margin.toNanos();
    Duration budget = sender.sendBudget();
    if (props.lease().compareTo(budget.multipliedBy(3).dividedBy(2)) < 0) {
      throw new IllegalStateException(
          "ums.dispatch.lease ("
              + props.lease()
              + ") must be at least 1.5 x (ums.smtp.connect-timeout + ums.smtp.read-timeout +"
              + " ums.smtp.write-timeout) = "
              + budget.multipliedBy(3).dividedBy(2)
              + ": a send starts only when that much of its lease is left");
    }
  }

  /**
   * Kept between a send's forced end and its lease end: covers the clocks of other instances, whose
   * reapers judge the lease by their own time. At most a tenth of the lease.
   */
  static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

  /** The relay circuit breaker of this dispatcher. */
  public RelayBreaker relayBreaker() {
    return breaker;
  }

  /** Most claimed rows this instance holds unsent at once ({@code workers + prefetch}). */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Sets the observer of claims and attempts (metrics); replaces the previous one. */
  public void setListener(DispatchListener listener) {
    this.listener = listener == null ? DispatchListener.NONE : listener;
  }

  DispatchListener listener() {
    return listener;
  }

  /**
   * Claimed rows not yet sent (waiting for a worker, or being sent); at most {@link #maxInFlight}.
   */
  public int unsent() {
    return unsent.get();
  }

  /** Claimed rows whose outcome is not yet recorded. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Sends running on the worker pool right now. */
  public int activeSends() {
    return activeSends.get();
  }

  @Override
  public void wake() {
    if (wakeUp.availablePermits() == 0) {
      wakeUp.release();
    }
  }

  public String instanceId() {
    return instanceId;
  }

  /** When the loop last completed a claim (for liveness checks); null before the first. */
  public Instant lastLoopAt() {
    return lastLoopAt;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    claiming = true;
    stopping = false;
    writerThread = new Thread(this::writeLoop, "ums-dispatch-results");
    loopThread = new Thread(this::claimLoop, "ums-dispatch-loop");
    writerThread.start();
    loopThread.start();
    log.info(
        "event=dispatcher_started instance={} batch_size={} workers={} lease={}",
        instanceId,
        props.batchSize(),
        props.workers(),
        props.lease());
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    stopping = true; // queued sends release their rows instead of sending
    wake();
    join(loopThread, props.shutdownTimeout());
    long deadline = System.nanoTime() + props.shutdownTimeout().toNanos();
    synchronized (inFlight) {
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        try {
          inFlight.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    writerThread.interrupt();
    join(writerThread, Duration.ofSeconds(5));
    int left = inFlight.get();
    if (left > 0) {
      log.warn(
          "event=dispatcher_stopped_with_inflight count={} (their leases will return them)", left);
    } else {
      log.info("event=dispatcher_stopped instance={}", instanceId);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void claimLoop() {
    // Claim when a prefetch's worth of room is free (or nothing is in hand), so claims stay a few
    // rows large without ever letting the workers run dry.
    int minClaim = Math.max(1, Math.min(props.batchSize(), Math.max(props.prefetch(), 1)));
    try {
      claimUntilStopped(minClaim);
    } finally {
      if (source != null) {
        try {
          source.close();
        } catch (RuntimeException e) {
          log.warn("event=claim_source_close_failed error={}", e.getClass().getSimpleName());
        }
      }
      claiming = false;
    }
  }

  private void claimUntilStopped(int minClaim) {
    while (running) {
      // Set by delivery control when a budget ran short: come back when it has refilled.
      long budgetWaitNanos = 0;
      // Rows not yet sent are bounded by workers + prefetch (the lease bound); rows already sent
      // and waiting for their result to be written by a multiple of that (memory), so a worker
      // that finishes a send gets its next row without waiting for the write.
      int free = Math.min(maxInFlight - unsent.get(), maxUnrecorded - inFlight.get());
      int want = Math.min(props.batchSize(), free);
      boolean full = false;
      boolean asked = false;
      boolean failed = false;
      if (want > 0 && (want >= minClaim || unsent.get() == 0)) {
        int allowed = breaker.permits(want);
        try {
          List<Claim> claimed;
          if (allowed == 0) {
            claimed = List.of();
          } else if (source != null) {
            asked = true;
            claimed = source.claim(allowed);
          } else if (control != null) {
            DeliveryControl.Round round =
                control.claim(
                    allowed, (scope, n) -> ledger.claim(instanceId, n, props.lease(), scope));
            claimed = round.claims();
            budgetWaitNanos = round.waitNanos();
          } else {
            claimed = ledger.claim(instanceId, allowed, props.lease());
          }
          lastLoopAt = clock.instant();
          breaker.claimed(claimed.size());
          listener.claimed(claimed.size());
          inFlight.addAndGet(claimed.size());
          unsent.addAndGet(claimed.size());
          for (Claim c : claimed) {
            workers.execute(() -> attempt(c));
          }
          full = allowed == want && claimed.size() == want;
        } catch (RuntimeException e) {
          breaker.claimed(0);
          failed = true;
          log.warn("event=claim_failed error={}", e.getClass().getSimpleName());
        }
      }
      if (source != null && !asked) {
        try {
          source.idle();
        } catch (RuntimeException e) {
          log.warn("event=claim_source_idle_failed error={}", e.getClass().getSimpleName());
        }
      }
      // A source waits inside claim() for its next records: ask it again at once.
      boolean waited = asked && !failed;
      if ((!full && !waited) || unsent.get() >= maxInFlight || inFlight.get() >= maxUnrecorded) {
        try {
          long waitNanos = props.pollInterval().toNanos();
          if (budgetWaitNanos > 0) {
            waitNanos = Math.min(waitNanos, budgetWaitNanos);
          }
          wakeUp.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
          wakeUp.drainPermits();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** One SMTP attempt, on a worker thread. Never throws; always yields exactly one outcome. */
  void attempt(Claim c) {
    // From a source the claims are whatever the relay published: the cap is held here, per send.
    boolean slot = source == null || control == null || control.startSend(c);
    try {
      if (slot) {
        send(c);
      } else {
        capped(c);
      }
    } finally {
      if (control != null && source == null) {
        control.done(c);
      } else if (control != null && slot) {
        control.sendEnded(c);
      }
      unsent.decrementAndGet();
      wake(); // room for another claim
    }
  }

  /**
   * Kafka mode: {@code c}'s rule already has its cap of sends in flight on this instance. No worker
   * waits for a slot: the message goes back to the queue for {@link
   * DeliveryControl#retryAfterCapped()}, its attempt given back and no failure recorded (an {@link
   * Outcome.Unsent}); the relay publishes it again when it is due. It is recorded like any other
   * result, so its record's offset is committed only once the row is back in the queue, and the
   * write is the usual compare-and-set on the claim token: a lease that ran out meanwhile only
   * makes it a dropped stale result. It is not held here until a slot frees, which would keep its
   * partition's offsets uncommitted and its lease running for as long as the rule's backlog on this
   * instance takes, and parked rows either count against {@code workers + prefetch}, so a capped
   * rule fills it and holds other mail back, or need a bound of their own. The cost of giving back
   * is a release, a claim and a publish per round trip.
   */
  private void capped(Claim c) {
    log.debug("event=send_capped message_id={} rule={}", c.messageId(), c.deliveryRule());
    outcomes.add(new Outcome.Unsent(c, clock.instant().plus(control.retryAfterCapped())));
  }

  private void send(Claim c) {
    if (stopping || !breaker.maySend()) {
      outcomes.add(new Outcome.Unsent(c));
      return;
    }
    Outcome o;
    long started = System.nanoTime();
    activeSends.incrementAndGet();
    try {
      MailContent m = contentReader.readValue(cipher.open(c.messageId(), c.content()));
      Set<String> suppressed =
          suppressions == null || c.clientId() == null
              ? Set.of()
              : suppressions.suppressed(c.clientId(), m.allRecipients());
      List<SendResult.Refused> left = new ArrayList<>();
      for (String a : suppressed) {
        left.add(new SendResult.Refused(a, 0, SUPPRESSED_REPLY));
      }
      if (!suppressed.isEmpty()) {
        boolean all = suppressed.containsAll(m.allRecipients());
        listener.suppressed(suppressed.size(), all);
        if (all) {
          log.info(
              "event=suppressed message_id={} recipients={}", c.messageId(), suppressed.size());
          outcomes.add(new Outcome.Suppressed(c, suppressed.size(), clock.instant()));
          return;
        }
      }
      SendResult r =
          sender.send(email(c, m, suppressed), c.leaseEndsNanos() - marginNanos, c.mode());
      if (!r.simulated()) {
        breaker.onHealthy();
      }
      hardBounces(c, r.refused());
      Instant now = clock.instant();
      List<SendResult.Refused> refused = new ArrayList<>(r.refused());
      refused.addAll(left);
      o = new Outcome.Sent(c, r.reply(), seal(c, refused), now, suppressed.size());
      listener.sent(since(started), Duration.between(c.createdAt(), now), c.attempt(), c.mode());
      if (!r.refused().isEmpty()) {
        log.info(
            "event=sent_partially message_id={} attempt={} refused={}",
            c.messageId(),
            c.attempt(),
            r.refused().size());
      }
    } catch (SendNotStarted e) {
      log.info("event=claim_released message_id={} reason=lease_too_short", c.messageId());
      o = new Outcome.Unsent(c);
    } catch (SmtpSendException e) {
      if (!e.simulated()
          && control != null
          && control.throttled(c, e.replyCode(), e.getMessage())) {
        o = throttled(c, e);
        listener.failed(e.classification(), since(started), false);
        outcomes.add(o);
        return;
      }
      hardBounces(c, e.refused());
      // A simulated outcome (magic recipients) says nothing about the relay: not the breaker's.
      boolean relayWide =
          !e.simulated() && e.classification().retryable() && breaker.onFailure(e.classification());
      if (!e.simulated() && !e.classification().retryable()) {
        breaker.onHealthy(); // a 5xx: the relay answers, the message is at fault
      }
      o =
          failed(
              c,
              e.classification(),
              e.replyCode(),
              e.getMessage(),
              e.classification().retryable(),
              relayWide);
    } catch (RuntimeException e) {
      // A bug or unreadable content: retry within the budget rather than lose the message.
      o = failed(c, FailureClass.INTERNAL, null, e.getClass().getSimpleName(), true, false);
    } finally {
      activeSends.decrementAndGet();
    }
    if (o instanceof Outcome.Failed f) {
      listener.failed(f.classification(), since(started), !f.retried());
    }
    outcomes.add(o);
  }

  /**
   * The destination asked us to slow down: back to the queue after the throttle wait, the attempt
   * given back (the message is not at fault), dead-lettered only past the retry age limit.
   */
  private Outcome.Failed throttled(Claim c, SmtpSendException e) {
    Instant now = clock.instant();
    RetryPolicy.Decision d = retry.afterRelayFailure(c.createdAt(), now);
    Instant at = now.plus(control.retryAfterThrottle());
    log.info(
        "event=send_throttled message_id={} attempt={} rule={} code={}",
        c.messageId(),
        c.attempt(),
        c.deliveryRule(),
        e.replyCode());
    return new Outcome.Failed(
        c,
        e.classification(),
        e.replyCode(),
        e.getMessage(),
        d instanceof RetryPolicy.Retry ? at : null,
        d instanceof RetryPolicy.GiveUp g ? g.reason() : null,
        now,
        false);
  }

  private Outcome.Failed failed(
      Claim c,
      FailureClass classification,
      Integer code,
      String text,
      boolean retryable,
      boolean relayWide) {
    Instant now = clock.instant();
    RetryPolicy.Decision d;
    if (!retryable) {
      d = new RetryPolicy.GiveUp("permanent error");
    } else if (relayWide) {
      d = retry.afterRelayFailure(c.createdAt(), now); // due now; the breaker holds claims back
    } else {
      d = retry.afterFailure(c.attempt(), c.createdAt(), now);
    }
    log.info(
        "event=send_failed message_id={} attempt={} class={} code={} relay_wide={} next={}",
        c.messageId(),
        c.attempt(),
        classification,
        code,
        relayWide,
        d instanceof RetryPolicy.Retry r ? r.at() : "dead_letter");
    return new Outcome.Failed(
        c,
        classification,
        code,
        text,
        d instanceof RetryPolicy.Retry r ? r.at() : null,
        d instanceof RetryPolicy.GiveUp g ? g.reason() : null,
        now,
        !relayWide);
  }

  /** The reply recorded for a recipient left out because it is suppressed (code 0: never sent). */
  static final String SUPPRESSED_REPLY = "not sent: on the client's suppression list";

  /**
   * Adds the recipients the relay refused for their address to the client's suppression list. A
   * failure to write is logged, not thrown: the outcome of the send matters more.
   */
  private void hardBounces(Claim c, List<SendResult.Refused> refused) {
    if (suppressions == null || c.clientId() == null || refused.isEmpty()) {
      return;
    }
    List<String> bounced =
        refused.stream()
            .filter(x -> HardBounce.isAddressFailure(x.code(), x.reply()))
            .map(SendResult.Refused::address)
            .toList();
    if (bounced.isEmpty()) {
      return;
    }
    try {
      suppressions.addHardBounces(c.clientId(), bounced);
      listener.hardBounced(bounced.size());
      log.info(
          "event=hard_bounces_suppressed message_id={} count={}", c.messageId(), bounced.size());
    } catch (RuntimeException e) {
      log.warn(
          "event=hard_bounce_suppression_failed message_id={} error={}",
          c.messageId(),
          e.getClass().getSimpleName());
    }
  }

  private Email email(Claim c, MailContent m, Set<String> suppressed) {
    // Decrypted just before sending; the plaintext lives only in this call, and the decoded
    // content (attachments as bytes) only until the send ends: outcomes drop the claim's content.
    List<Email.Attachment> attachments = new ArrayList<>(m.attachmentList().size());
    for (MailContent.Attachment a : m.attachmentList()) {
      attachments.add(
          new Email.Attachment(
              a.filename(), a.contentType(), a.inline(), a.contentId(), a.content()));
    }
    return new Email(
        "<" + c.messageId() + "@" + messageIdDomain + ">",
        m.from(),
        without(m.to(), suppressed),
        without(m.cc(), suppressed),
        without(m.bcc(), suppressed),
        m.replyTo(),
        m.subject(),
        m.text(),
        m.html(),
        m.headers(),
        attachments,
        bounceDomain == null ? null : ReturnPath.of(c.messageId(), bounceDomain));
  }

  private static List<String> without(List<String> addresses, Set<String> suppressed) {
    return addresses == null || suppressed.isEmpty()
        ? addresses
        : addresses.stream().filter(a -> !suppressed.contains(a)).toList();
  }

  private byte[] seal(Claim c, List<SendResult.Refused> refused) {
    return refused.isEmpty()
        ? null
        : cipher.sealRefused(c.messageId(), json.writeValueAsBytes(refused));
  }

  private void writeLoop() {
    List<Outcome> batch = new ArrayList<>(512);
    while (claiming || inFlight.get() > 0) {
      try {
        Outcome first = outcomes.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        outcomes.drainTo(batch, 511);
        recordWithRetry(batch);
        if (source != null) {
          List<Claim> done = new ArrayList<>(batch.size());
          for (Outcome o : batch) {
            done.add(o.claim());
          }
          source.recorded(done);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        if (!batch.isEmpty()) {
          synchronized (inFlight) {
            inFlight.addAndGet(-batch.size());
            inFlight.notifyAll();
          }
          batch.clear();
          wake();
        }
      }
    }
  }

  /**
   * Records {@code batch}, retrying until it succeeds: results are never abandoned while the
   * database is away (each write is a compare-and-set on its claim token, so retrying is safe).
   * Only a stop interrupts it; the leases then return what was not recorded.
   */
  private void recordWithRetry(List<Outcome> batch) throws InterruptedException {
    long backoffMs = 100;
    long failingSince = 0;
    while (true) {
      try {
        ledger.record(batch);
        if (failingSince != 0) {
          log.info(
              "event=record_recovered count={} after_ms={}",
              batch.size(),
              (System.nanoTime() - failingSince) / 1_000_000);
        }
        return;
      } catch (RuntimeException e) {
        if (failingSince == 0) {
          failingSince = System.nanoTime();
        }
        log.warn(
            "event=record_failed count={} error={} retry_in_ms={}",
            batch.size(),
            e.getClass().getSimpleName(),
            backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException stop) {
          log.error(
              "event=record_abandoned_at_stop count={} (leases will return them)", batch.size());
          throw stop;
        }
        backoffMs = Math.min(2_000, backoffMs * 2);
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static void join(Thread t, Duration timeout) {
    if (t == null) {
      return;
    }
    try {
      t.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
