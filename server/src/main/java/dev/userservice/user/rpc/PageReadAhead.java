package dev.userservice.user.rpc;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.MoreExecutors;
import dev.userservice.user.DatabaseWorkers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What all ListUsers streams share to read their pages, the next one while they write the current
 * one. A stream holds a permit for as long as it holds a page read ahead, so the pages read ahead
 * in the whole service, read or being read, are at most as many as the permits; a stream checked
 * every {@code stallLimit} that wrote nothing since the check before drops its page read ahead and
 * gives its permit back once that page's read has ended.
 *
 * @param reads runs the page reads
 * @param permits one per page read ahead at once, in the whole service
 * @param timer checks, every {@code stallLimit}, whether a stream holding a page ahead still writes
 * @param stallLimit the time between two checks of a stream holding a page ahead: one that
 *     writes no message for two in a row holds it one to two stall limits
 */
record PageReadAhead(Executor reads, Semaphore permits, Timer timer, Duration stallLimit) {
  /** Pages read ahead at once in the whole service: a few, for the streams that read fastest. */
  static final int MOST_PAGES_AHEAD = 8;
  /** Pages read at once in the whole service, ahead or because a stream needs one: as many as may be read ahead. */
  static final int MOST_READS = MOST_PAGES_AHEAD;
  /** The time between two checks whether a stream holding a page ahead still writes. */
  static final Duration STALL_LIMIT = Duration.ofSeconds(1);

  PageReadAhead {
    requireNonNull(reads, "reads");
    requireNonNull(permits, "permits");
    requireNonNull(timer, "timer");
    if (stallLimit.isNegative() || stallLimit.isZero()) {
      throw new IllegalArgumentException("stallLimit must be positive, is " + stallLimit);
    }
  }

  /**
   * Pages read on the database workers, at most {@link #MOST_PAGES_AHEAD} ahead at once,
   * {@link #STALL_LIMIT} per stall, and at most {@link #MOST_READS} read at once, ahead or not:
   * the workers add a thread for each task that finds them busy, so the reads of many streams go
   * in turn through that many sequential lanes over the workers instead, taken in rotation.
   */
  static PageReadAhead on(DatabaseWorkers workers) {
    return new PageReadAhead(inLanes(workers.threads(), MOST_READS), new Semaphore(MOST_PAGES_AHEAD),
        (task, delay) -> workers.deadlines().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS), STALL_LIMIT);
  }

  /** Runs each task on the next of {@code count} sequential executors over {@code threads}: at most {@code count} at once. */
  private static Executor inLanes(Executor threads, int count) {
    List<Executor> lanes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      lanes.add(MoreExecutors.newSequentialExecutor(threads));
    }
    AtomicInteger next = new AtomicInteger();
    return task -> lanes.get(Math.floorMod(next.getAndIncrement(), count)).execute(task);
  }

  /** Runs a task once, later. */
  @FunctionalInterface
  interface Timer {
    /**
     * Runs {@code task} on another thread after {@code delay}.
     *
     * @throws java.util.concurrent.RejectedExecutionException when shutting down
     */
    void schedule(Runnable task, Duration delay);
  }
}
