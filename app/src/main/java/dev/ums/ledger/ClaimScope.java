package dev.ums.ledger;

import java.util.Collections;
import java.util.List;

/**
 * Which due rows a claim may take: all, those of one delivery rule, or those of every rule but
 * some. The same condition on every database (plain {@code =} and {@code NOT IN}), so it is no
 * dialect difference.
 */
public final class ClaimScope {

  /** Every due row. */
  public static final ClaimScope ALL = new ClaimScope("", List.of());

  private final String condition;
  private final List<Object> args;

  private ClaimScope(String condition, List<Object> args) {
    this.condition = condition;
    this.args = args;
  }

  /** Only rows of delivery rule {@code name}. */
  public static ClaimScope rule(String name) {
    return new ClaimScope(" AND delivery_rule = ?", List.of(name));
  }

  /** Rows of any of delivery rules {@code names} (none when it is empty). */
  public static ClaimScope rules(List<String> names) {
    if (names.isEmpty()) {
      return new ClaimScope(" AND 1 = 0", List.of());
    }
    return new ClaimScope(
        " AND delivery_rule IN (" + String.join(",", Collections.nCopies(names.size(), "?")) + ")",
        List.copyOf(names));
  }

  /** Rows of any delivery rule except {@code names} (all rows when it is empty). */
  public static ClaimScope except(List<String> names) {
    if (names.isEmpty()) {
      return ALL;
    }
    return new ClaimScope(
        " AND delivery_rule NOT IN ("
            + String.join(",", Collections.nCopies(names.size(), "?"))
            + ")",
        List.copyOf(names));
  }

  /** Rows of this scope that belong to client {@code clientId}. */
  public ClaimScope client(String clientId) {
    List<Object> a = new java.util.ArrayList<>(args);
    a.add(clientId);
    return new ClaimScope(condition + " AND client_id = ?", List.copyOf(a));
  }

  /** The condition and its values, for logs and tests. */
  @Override
  public String toString() {
    return (condition.isEmpty() ? "all" : condition.substring(" AND ".length())) + " " + args;
  }

  String condition() {
    return condition;
  }

  List<Object> args() {
    return args;
  }
}
