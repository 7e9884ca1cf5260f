package dev.userservice.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.userservice.user.DatabaseWorkers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The database workers of one application: a cached pool whose idle threads end after a minute,
 * and one timer for the deadlines of shared queries. Closed once the server has stopped, so an
 * application leaves no thread behind.
 */
public final class DatabaseWorkerThreads implements AutoCloseable {
  private final DatabaseWorkers workers;

  private DatabaseWorkerThreads() {
    ExecutorService threads = Executors.newCachedThreadPool(daemon("db-worker-"));
    ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, daemon("db-deadline-"));
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

  private static ThreadFactory daemon(String prefix) {
    return new ThreadFactoryBuilder().setNameFormat(prefix + "%d").setDaemon(true).build();
  }

  /** Stops taking work and waits a little for the work under way. */
  @Override
  public void close() {
    workers.deadlines().shutdownNow();
    workers.threads().shutdown();
    try {
      workers.threads().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
