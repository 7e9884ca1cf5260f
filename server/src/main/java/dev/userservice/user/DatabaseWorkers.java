package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Threads for database work that calls hand off rather than block on themselves: batched
 * lookups and creates, the writes of BulkCreateUsers streams, the page reads of ListUsers streams
 * and account state refreshes. How many run at once is bounded by their users (and by the
 * connection pool), not here. The application builds them and closes them on shutdown.
 *
 * @param threads runs the database work
 * @param deadlines ends queries that serve several calls at the latest of their deadlines, and
 *     checks whether ListUsers streams holding a page read ahead still write
 * @param loops the network threads that batched calls are answered on, when they were read there
 */
public record DatabaseWorkers(ExecutorService threads, ScheduledExecutorService deadlines, CallLoops loops) {

  public DatabaseWorkers {
    requireNonNull(threads, "threads");
    requireNonNull(deadlines, "deadlines");
    requireNonNull(loops, "loops");
  }

  /** Workers that answer batched calls themselves. */
  public DatabaseWorkers(ExecutorService threads, ScheduledExecutorService deadlines) {
    this(threads, deadlines, CallLoops.NONE);
  }
}
