package dev.cqrs.core.spi;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import java.util.function.Supplier;

/**
 * Decides when a {@link dev.cqrs.core.TrackingProcessor} may process and makes each batch atomic. The default lets a
 * single instance process and runs batches as they are; the JDBC backend holds a lease row per processor, so that one
 * instance at a time processes, and runs each batch and its checkpoint in one transaction that checks the lease's
 * fencing version before it commits, so that a stale holder cannot move the checkpoint.
 *
 * <p>The processor calls {@link #acquire()} and {@link #inBatch} from its own thread only; {@link #release()} may come
 * from another thread after that thread has stopped. Implementations must be thread-safe.
 */
public interface ProcessingCoordinator {

  /** The coordinator of a single instance without transactions. */
  ProcessingCoordinator SINGLE_INSTANCE = new ProcessingCoordinator() {
    @Override
    public boolean acquire() {
      return true;
    }

    @Override
    public <T> T inBatch(Supplier<T> batch) {
      return batch.get();
    }

    @Override
    public void release() {
    }

    @Override
    public String toString() {
      return "single instance";
    }
  };

  /**
   * Takes or renews the right to process; called before every read, so implementations renew only when due.
   *
   * @return {@code true} when this instance may process now; {@code false} to wait and ask again
   */
  boolean acquire();

  /**
   * Runs one batch (apply events, then save the checkpoint) atomically, if this instance still may process.
   *
   * @param batch the batch
   * @param <T> the batch's result
   * @return the batch's result, once committed
   * @throws LeaseLostException if another instance has taken over; nothing of the batch was kept
   */
  <T> T inBatch(Supplier<T> batch);

  /** Gives up the right to process, so that another instance can take over at once. */
  void release();

  /**
   * Parks an event as part of the running unit of {@link #inBatch}, so that the dead letter commits with the
   * checkpoint that moves past its event, or not at all. The default saves it directly.
   *
   * @param store the processor's dead-letter store
   * @param letter the dead letter
   */
  default void saveDeadLetter(DeadLetterStore store, DeadLetter letter) {
    store.save(letter);
  }

  /**
   * Applies a parked event again and removes its dead letter as one unit, where the coordinator can: both happen, or
   * neither, so that a retry whose outcome was unknown is never applied twice. The default applies, then removes.
   *
   * @param store the processor's dead-letter store
   * @param letter the dead letter
   * @param apply applies its event; its exceptions pass through, and nothing of the unit is kept
   * @return {@code true} when applied and removed; {@code false} when the dead letter was gone meanwhile (another
   *     retry or a discard), and nothing was applied
   */
  default boolean retryDeadLetter(DeadLetterStore store, DeadLetter letter, Runnable apply) {
    if (store.find(letter.id()).isEmpty()) {
      return false;
    }
    apply.run();
    return store.remove(letter.id());
  }

  /**
   * Runs a processor's reset (clearing the read model and forgetting the checkpoint) as one fenced unit: an
   * implementation with leases takes the lease over from whichever instance holds it, so that no instance can go on
   * from the old checkpoint or commit a batch into the cleared read model. The default runs it as it is.
   *
   * @param reset the reset
   */
  default void reset(Runnable reset) {
    reset.run();
  }
}
