package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Deadline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * GetUser's lookups by id, answered in batches: lookups that arrive while queries run wait, and
 * the next query takes up to {@link #MAX_BATCH} of them in one statement. Alone, a lookup runs
 * at once as a batch of one; under load, one round trip to the database serves many calls.
 *
 * <p>A query serves the calls still open when it starts (cancelled ones are left out) and is
 * bounded by the latest of their deadlines, so no query outlives every call it serves.
 */
final class UserLookups {
  static final int MAX_BATCH = 64;

  private final UserRepository users;
  private final Executor executor;
  private final int maxQueries;
  private final Queue<Lookup> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queries = new AtomicInteger();

  /**
   * @param executor runs the queries
   * @param maxQueries most queries at once
   */
  UserLookups(UserRepository users, Executor executor, int maxQueries) {
    if (maxQueries < 1) {
      throw new IllegalArgumentException("maxQueries: " + maxQueries + " (expected: >= 1)");
    }
    this.users = requireNonNull(users, "users");
    this.executor = requireNonNull(executor, "executor");
    this.maxQueries = maxQueries;
  }

  /** What a lookup finds, or why it could not look. Called once, on a query's thread, in the call's context. */
  interface Answer {
    void found(Optional<User> user);

    void failed(RuntimeException e);
  }

  /** Looks {@code id} up for the current call and answers later. */
  void find(UUID id, Answer answer) {
    waiting.add(new Lookup(requireNonNull(id, "id"), Context.current(), requireNonNull(answer, "answer")));
    startQueryIfIdle();
  }

  private void startQueryIfIdle() {
    while (!waiting.isEmpty()) {
      int running = queries.get();
      if (running >= maxQueries) {
        return; // a running query takes the waiting lookups when it finishes
      }
      if (queries.compareAndSet(running, running + 1)) {
        executor.execute(this::drain);
        return;
      }
    }
  }

  private void drain() {
    try {
      for (List<Lookup> batch = take(); !batch.isEmpty(); batch = take()) {
        answer(batch);
      }
    } finally {
      queries.decrementAndGet();
    }
    // a lookup that arrived after the last take saw this query still running
    startQueryIfIdle();
  }

  private List<Lookup> take() {
    List<Lookup> batch = new ArrayList<>();
    for (Lookup lookup = waiting.poll(); lookup != null; lookup = batch.size() < MAX_BATCH ? waiting.poll() : null) {
      if (!lookup.context.isCancelled()) {
        batch.add(lookup);
      }
      if (batch.size() == MAX_BATCH) {
        break;
      }
    }
    return batch;
  }

  private void answer(List<Lookup> batch) {
    Set<UUID> ids = new HashSet<>();
    batch.forEach(lookup -> ids.add(lookup.id));
    Map<UUID, User> found = new HashMap<>();
    try {
      for (User user : query(batch, ids)) {
        found.put(user.id(), user);
      }
    } catch (RuntimeException e) {
      batch.forEach(lookup -> lookup.context.run(() -> lookup.answer.failed(e)));
      return;
    }
    batch.forEach(lookup -> lookup.context.run(() -> lookup.answer.found(Optional.ofNullable(found.get(lookup.id)))));
  }

  /** Runs the query in a context that ends at the latest deadline of the batch, if all have one. */
  private List<User> query(List<Lookup> batch, Set<UUID> ids) {
    Deadline latest = null;
    for (Lookup lookup : batch) {
      Deadline deadline = lookup.context.getDeadline();
      if (deadline == null) {
        latest = null;
        break;
      }
      latest = latest == null || latest.isBefore(deadline) ? deadline : latest;
    }
    Context.CancellableContext context = latest == null ? Context.ROOT.withCancellation()
        : Context.ROOT.withDeadline(latest, DatabaseWorkers.DEADLINES);
    Context previous = context.attach();
    try {
      return users.findByIds(ids);
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }

  private record Lookup(UUID id, Context context, Answer answer) {}
}
