package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.CallLoops;
import dev.userservice.user.DatabaseWorkers;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The database workers of one application: a pool that keeps {@code kept} threads, started at
 * once, and adds threads beyond them as work needs, each ending after a minute idle; and one timer
 * for the deadlines of shared queries. Kept as many as the database pool holds connections, the
 * workers that the usual work needs at once are there from the start, so the service's thread
 * count does not creep up as its busiest moments come. Closed once the server has stopped, so an
 * application leaves no thread behind.
 */
public final class DatabaseWorkerThreads implements AutoCloseable {
  private final DatabaseWorkers workers;

  private DatabaseWorkerThreads(int kept, CallLoops loops) {
    ThreadPoolExecutor threads = new ThreadPoolExecutor(kept, Integer.MAX_VALUE, 1, TimeUnit.MINUTES,
        new SynchronousQueue<>(), ThreadPools.daemon("db-worker-"));
    threads.prestartAllCoreThreads();
    ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, ThreadPools.daemon("db-deadline-"));
    // most batches end long before their deadline: drop their timers at once
    deadlines.setRemoveOnCancelPolicy(true);
    this.workers = new DatabaseWorkers(threads, deadlines, loops);
  }

  /** New worker threads, {@code kept} of them started now, the others as work arrives. */
  public static DatabaseWorkerThreads start(int kept) {
    return start(kept, CallLoops.NONE);
  }

  /**
   * New worker threads, {@code kept} of them started now, the others as work arrives, that answer
   * batched calls read on {@code loops} there.
   */
  public static DatabaseWorkerThreads start(int kept, CallLoops loops) {
    if (kept < 0) {
      throw new IllegalArgumentException("kept: " + kept + " (expected: >= 0)");
    }
    return new DatabaseWorkerThreads(kept, requireNonNull(loops, "loops"));
  }

  /** The threads, for the user package. */
  public DatabaseWorkers workers() {
    return workers;
  }

  /** Stops taking work and waits a little for the work under way. */
  @Override
  public void close() {
    workers.deadlines().shutdownNow();
    ThreadPools.stop(workers.threads());
  }
}
