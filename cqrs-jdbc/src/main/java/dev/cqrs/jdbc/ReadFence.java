package dev.cqrs.jdbc;

import java.time.Duration;
import java.util.Objects;

/**
 * The transaction that holds PostgreSQL readers back right now: readers only read events older than every transaction
 * still open that has appended to the store (an application's transaction that appended and then does other work or
 * waits, a prepared transaction that appended). Transactions that do not append never hold readers back. Returned by
 * {@link JdbcEventStore#readFence()} for monitoring; the store also logs it once per episode when it is older than its
 * warning threshold.
 *
 * <p>Immutable and thread-safe.
 *
 * @param pid the backend's process id, or 0 for a prepared transaction
 * @param holder who holds it: the application name (or the prepared transaction's global id), possibly empty
 * @param state the backend's state, for example {@code idle in transaction}, or {@code prepared}
 * @param age how long the transaction has been open
 * @param transactionId its transaction id, or 0 when it has not written yet
 */
public record ReadFence(int pid, String holder, String state, Duration age, long transactionId) {

  /**
   * Validates the parts.
   *
   * @param pid the backend's process id
   * @param holder who holds it
   * @param state the backend's state
   * @param age how long it has been open
   * @param transactionId its transaction id, or 0 when it has not written yet
   */
  public ReadFence {
    Objects.requireNonNull(holder, "holder must not be null");
    Objects.requireNonNull(state, "state must not be null");
    Objects.requireNonNull(age, "age must not be null");
  }

  @Override
  public String toString() {
    return "transaction " + transactionId + (pid == 0 ? "" : " of backend pid " + pid) + " ('" + holder + "', "
        + state + "), open for " + age;
  }
}
