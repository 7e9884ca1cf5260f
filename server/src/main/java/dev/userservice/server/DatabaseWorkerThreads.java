package dev.userservice.server;

import dev.userservice.user.DatabaseWorkers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The database workers of one application: a cached pool whose idle threads end after a minute,
 * and one timer for the deadlines of shared queries. Closed once the server has stopped, so an
 * application leaves no thread behind.
 */
public final class DatabaseWorkerThreads implements AutoCloseable {
  private final DatabaseWorkers workers;

  private DatabaseWorkerThreads() {
    ExecutorService threads = Executors.newCachedThreadPool(ThreadPools.daemon("db-worker-"));
    ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, ThreadPools.daemon("db-deadline-"));
    // most batches end long before their deadline: drop their timers at once
    deadlines.setRemoveOnCancelPolicy(true);
    this.workers = new DatabaseWorkers(threads, deadlines);
  }

  /** New worker threads, started as work arrives. */
  public static DatabaseWorkerThreads start() {
    return new DatabaseWorkerThreads();
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
