package dev.userservice.user;

import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The network threads that read calls. A call read on one of them is best answered there: its
 * writes then need no hand-off to that thread, and the database worker that did its work is free
 * for the next batch at once.
 */
@FunctionalInterface
public interface CallLoops {
  /** No network threads known: answers are sent by the threads that do the work. */
  CallLoops NONE = Optional::empty;

  /** The network thread the calling thread is, as an executor; empty when it is none of them. */
  Optional<Executor> current();

  /**
   * Tells the calling network thread that the answer to a call it read will be handed to it,
   * through the executor {@link #current()} gave, by another thread: while answers are awaited
   * it may poll for them instead of sleeping. Called on that network thread, and matched there by
   * {@link #answersArrived(int)} once the answer is handed over.
   */
  default void answerAwaited() {
  }

  /** {@code count} awaited answers were handed to the calling network thread; called on it. */
  default void answersArrived(int count) {
  }
}
