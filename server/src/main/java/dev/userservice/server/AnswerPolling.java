package dev.userservice.server;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import io.grpc.netty.shaded.io.netty.util.IntSupplier;
import java.time.Duration;

/**
 * How an event loop waits when it has nothing to do. While a database worker does the work of
 * calls the loop read, whose answers it will be handed, the loop polls its sockets and its task
 * queue ({@code epoll_wait} without a timeout) instead of sleeping, until {@code maxPoll} has
 * passed since its last event; otherwise it sleeps as Netty's default strategy does. A sleeping
 * thread is woken by a system call of the thread that hands it work, and on a virtual machine
 * whose idle cores halt, a core's wake-up costs more than the poll.
 *
 * <p>One per event loop; its counts are only read and written on that loop's thread.
 */
final class AnswerPolling implements SelectStrategy {
  private final long maxPollNanos;
  private volatile Thread loop;
  private int awaited;
  private long lastEventNanos;

  AnswerPolling(Duration maxPoll) {
    if (maxPoll.compareTo(Duration.ofNanos(1_000)) < 0) {
      throw new IllegalArgumentException("maxPoll: " + maxPoll + " (expected: >= 1 microsecond)");
    }
    this.maxPollNanos = maxPoll.toNanos();
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (loop == null) {
      loop = Thread.currentThread();
    }
    if (hasTasks) {
      lastEventNanos = System.nanoTime();
      return selectNow.get();
    }
    if (awaited <= 0) {
      return SelectStrategy.SELECT;
    }
    int ready = selectNow.get();
    long now = System.nanoTime();
    if (ready > 0) {
      lastEventNanos = now;
      return ready;
    }
    return now - lastEventNanos < maxPollNanos ? SelectStrategy.CONTINUE : SelectStrategy.SELECT;
  }

  /** True on the thread of the loop this strategy serves, once that loop has run. */
  boolean isCurrent() {
    return loop == Thread.currentThread();
  }

  /** An answer to a call the loop read will be handed to it; called on the loop's thread. */
  void answerAwaited() {
    awaited++;
  }

  /** {@code count} awaited answers were handed to the loop; called on the loop's thread. */
  void answersArrived(int count) {
    awaited = Math.max(0, awaited - count);
  }

  /** Answers awaited now; read on the loop's thread. */
  int awaited() {
    return awaited;
  }
}
