package dev.ums.delivery;

import dev.ums.ledger.Claim;
import dev.ums.ledger.ClaimScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Fair share between clients: splits each claim between the clients that have due mail, by weight
 * ({@code ums.delivery.fair-share.weights}), with the fractions carried from claim to claim so
 * small claims still come out in proportion over time. Capacity a client cannot use (too few due
 * rows) goes to whoever has more, so sharing never leaves a slot empty. Which clients have due mail
 * is read from the queue at most once per {@code refresh}.
 */
final class ClientShares {

  private final DeliveryProperties.FairShare settings;
  private final Supplier<Map<String, Long>> dueByClient;
  private final LongSupplier nanos;
  private final long refreshNanos;
  private final Map<String, Double> credit = new HashMap<>();
  private volatile Map<String, Long> due = Map.of();
  private volatile long readAt = Long.MIN_VALUE;

  ClientShares(
      DeliveryProperties.FairShare settings,
      Supplier<Map<String, Long>> dueByClient,
      LongSupplier nanos,
      long refreshNanos) {
    this.settings = settings;
    this.dueByClient = dueByClient;
    this.nanos = nanos;
    this.refreshNanos = refreshNanos;
  }

  List<Claim> claim(ClaimScope scope, int limit, DeliveryControl.Claimer claimer) {
    Map<String, Long> clients = clients();
    if (clients.size() <= 1) {
      return claimer.claim(scope, limit);
    }
    List<Claim> out = new ArrayList<>(limit);
    synchronized (credit) {
      double total = 0;
      for (String c : clients.keySet()) {
        total += settings.weight(c);
      }
      for (String c : clients.keySet()) {
        double share = limit * settings.weight(c) / total + credit.getOrDefault(c, 0d);
        int n = (int) Math.min(Math.floor(share), limit - out.size());
        if (n > 0) {
          List<Claim> got = claimer.claim(scope.client(c), n);
          out.addAll(got);
          // A client with fewer rows than its share keeps no credit for what it could not use.
          credit.put(c, got.size() < n ? 0 : share - n);
        } else {
          credit.put(c, share);
        }
      }
      credit.keySet().retainAll(clients.keySet());
    }
    if (out.size() < limit) {
      out.addAll(claimer.claim(scope, limit - out.size()));
    }
    return out;
  }

  private Map<String, Long> clients() {
    long now = nanos.getAsLong();
    if (readAt == Long.MIN_VALUE || now - readAt >= refreshNanos) {
      readAt = now;
      due = dueByClient.get();
    }
    return due;
  }
}
