package dev.userservice.user;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for database work that calls hand off rather than block on themselves: batched
 * lookups and the writes of BulkCreateUsers streams. How many run at once is bounded by their
 * users (and by the connection pool), not here; idle threads end after a minute.
 */
public final class DatabaseWorkers {
  public static final ExecutorService THREADS = Executors.newCachedThreadPool(daemon("db-worker-"));
  /** Ends queries that serve several calls at the latest of their deadlines. */
  public static final ScheduledExecutorService DEADLINES = deadlineTimer();

  private DatabaseWorkers() {}

  private static ScheduledExecutorService deadlineTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("db-deadline-"));
    // most batches end long before their deadline: drop their timers at once
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static ThreadFactory daemon(String prefix) {
    return new ThreadFactoryBuilder().setNameFormat(prefix + "%d").setDaemon(true).build();
  }
}
