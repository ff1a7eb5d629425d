package dev.ums.observability;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a slow check on an executor, one run at a time, and lets each caller wait for it only as
 * long as it can afford. Callers that arrive while a run is under way share it instead of starting
 * another, so a check that hangs (a relay or database that does not answer) holds one thread, not
 * one per health request; the run itself must end by its own timeouts.
 *
 * @param <T> the check's result; the check must not throw
 */
final class SingleFlight<T> {

  private final Executor executor;
  private final Supplier<T> check;
  private CompletableFuture<T> running; // guarded by this

  SingleFlight(Executor executor, Supplier<T> check) {
    this.executor = executor;
    this.check = check;
  }

  /**
   * The result of the run under way, or of one started now.
   *
   * @param wait how long to wait for it; null waits until it ends
   * @return empty when the run did not end within {@code wait} (it goes on; a later call gets it)
   */
  Optional<T> await(Duration wait) {
    CompletableFuture<T> run;
    synchronized (this) {
      run = running;
      // A run that has ended may still be here: its callers wake before its completion hook
      // clears it. Its result is not the one a caller arriving now asks for.
      if (run == null || run.isDone()) {
        run = CompletableFuture.supplyAsync(check, executor);
        running = run;
        CompletableFuture<T> started = run;
        run.whenComplete((result, failure) -> finished(started));
      }
    }
    try {
      return Optional.of(wait == null ? run.get() : run.get(wait.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("health check failed", e.getCause());
    }
  }

  private synchronized void finished(CompletableFuture<T> run) {
    if (running == run) {
      running = null;
    }
  }
}
