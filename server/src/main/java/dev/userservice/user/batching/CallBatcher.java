package dev.userservice.user.batching;

import static java.util.Objects.requireNonNull;

import dev.userservice.observability.CallTraces;
import dev.userservice.user.CallLoops;
import dev.userservice.user.DatabaseWorkers;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database work that calls hand off to be done in batches: items that arrive while batches run
 * wait, and the next batch takes up to {@code maxBatch} of them. Alone, an item runs at once as
 * a batch of one; under load, one round trip to the database serves many calls.
 *
 * <p>A batch holds the items whose calls are still open when it starts (cancelled ones are left
 * out) and runs in a context that ends at the latest of their deadlines, so its statements,
 * which {@link dev.userservice.db.CallBoundStatement} binds to that context, never outlive
 * every call they serve. A batch of one runs in its call's own context, which ends with the
 * call, so a lone call costs no context and no deadline timer of its own.
 *
 * <p>A batch's database work holds one of the {@code maxConcurrent} places. Its calls are
 * answered on the network threads that read them ({@link CallLoops}). Calls that came from
 * other threads (a password's hashing thread, or any thread where no network threads are known)
 * are answered on another worker while items wait, else, once the place is given up, by the
 * worker that did the work: no worker is woken only to answer. The worker that did the work takes
 * the items that waited meanwhile as its next batch at once. The next round trip to the database
 * thus overlaps with encoding and sending the last batch's answers, and under load no worker has
 * to be woken for each batch.
 *
 * @param <T> an item, which knows how its call is answered
 */
final class CallBatcher<T extends CallBatcher.Item> {
  private static final Logger log = LoggerFactory.getLogger(CallBatcher.class);

  private final Work<T> work;
  private final Executor executor;
  private final ScheduledExecutorService deadlines;
  private final CallLoops loops;
  private final int maxBatch;
  private final int maxConcurrent;
  private final Queue<Pending<T>> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();

  /**
   * @param work does one batch's database work and returns how its items are answered; when it
   *     throws, every item of the batch fails with the exception
   * @param workers run the batches and end them at the latest deadline of their calls
   * @param maxBatch most items in a batch
   * @param maxConcurrent most batches at once
   */
  CallBatcher(Work<T> work, DatabaseWorkers workers, int maxBatch, int maxConcurrent) {
    if (maxBatch < 1 || maxConcurrent < 1) {
      throw new IllegalArgumentException("maxBatch: " + maxBatch + ", maxConcurrent: " + maxConcurrent
          + " (expected: >= 1 each)");
    }
    this.work = requireNonNull(work, "work");
    requireNonNull(workers, "workers");
    this.executor = workers.threads();
    this.deadlines = workers.deadlines();
    this.loops = workers.loops();
    this.maxBatch = maxBatch;
    this.maxConcurrent = maxConcurrent;
  }

  /**
   * One batch's database work, done while the batch holds its place.
   *
   * @param <T> an item
   */
  @FunctionalInterface
  interface Work<T> {
    /**
     * Does the work of {@code batch}. It may answer items itself, on the worker; the others are
     * answered by the replies it returns: on the network threads that read their calls, and for
     * calls from other threads on another worker while this one goes on with the next batch, or
     * on this one when no batch is next.
     */
    List<Reply> run(List<Pending<T>> batch);
  }

  /** An item and how its call is answered; every item of a failed batch is answered with the failure. */
  interface Item {
    CallAnswer<?> answer();
  }

  /** An item, the context of the call that submitted it, and the network thread that read that call, if any. */
  record Pending<T>(T item, Context context, Optional<Executor> loop) {
    /**
     * Runs {@code answer} in the submitting call's context. An answer that throws is logged, so
     * that the other calls of its batch are still answered.
     */
    void answer(Runnable answer) {
      try {
        context.run(answer);
      } catch (RuntimeException e) {
        log.error("answering a call of a batch failed", e);
      }
    }

    /** A reply that answers this item with {@code answer}. */
    Reply reply(Runnable answer) {
      return new Reply(this, answer);
    }
  }

  /** How one item of a batch is answered once the batch's work is done. */
  record Reply(Pending<?> to, Runnable answer) {
    void send() {
      to.answer(answer);
    }
  }

  /** Queues {@code item} for the current call. */
  void submit(T item) {
    Optional<Executor> loop = loops.current();
    waiting.add(new Pending<>(requireNonNull(item, "item"), Context.current(), loop));
    if (loop.isPresent()) {
      loops.answerAwaited();
    }
    startIfIdle();
  }

  private void startIfIdle() {
    while (!waiting.isEmpty()) {
      int now = running.get();
      if (now >= maxConcurrent) {
        return; // a running batch takes the waiting items when it finishes
      }
      if (running.compareAndSet(now, now + 1)) {
        try {
          executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
          running.decrementAndGet(); // the workers are stopping: the place was never used
          throw e;
        }
        return;
      }
    }
  }

  /**
   * Does batches while items wait, sending each batch's replies before taking the next; then
   * gives the place up, starts another worker for items that came after the last take and sends
   * the last batch's replies.
   */
  private void drain() {
    Taken<T> last = null;
    List<Reply> lastReplies = List.of();
    try {
      for (Taken<T> taken = take(); !taken.all.isEmpty(); taken = take()) {
        List<Reply> replies = taken.open.isEmpty() ? List.of() : run(taken.open);
        if (waiting.isEmpty()) {
          last = taken; // nothing to go on with: answered once the place is given up
          lastReplies = replies;
          break;
        }
        send(taken.all, replies, false);
      }
    } finally {
      running.decrementAndGet();
    }
    try {
      startIfIdle();
    } finally {
      if (last != null) {
        send(last.all, lastReplies, true);
      }
    }
  }

  /**
   * Sends each reply on the network thread of its call, one task per thread, handed over first;
   * replies of calls that came from other threads are then sent by this worker when
   * {@code othersHere} (it has no next batch), else by another worker. Where a thread takes no
   * more tasks (it is stopping), this worker sends them itself. Every network thread that read a
   * call of {@code taken} learns, in that task, that the answers it awaited for them have arrived,
   * whether a reply answers the call there, the work answered it, or the call was cancelled
   * before its batch.
   */
  private void send(List<Pending<T>> taken, List<Reply> replies, boolean othersHere) {
    Map<Executor, List<Reply>> byLoop = new IdentityHashMap<>(2);
    List<Reply> others = new ArrayList<>();
    for (Reply reply : replies) {
      if (reply.to.loop.isPresent()) {
        byLoop.computeIfAbsent(reply.to.loop.get(), thread -> new ArrayList<>()).add(reply);
      } else {
        others.add(reply);
      }
    }
    Map<Executor, Integer> awaited = new IdentityHashMap<>(2);
    for (Pending<T> pending : taken) {
      pending.loop.ifPresent(loop -> {
        awaited.merge(loop, 1, Integer::sum);
        byLoop.computeIfAbsent(loop, thread -> new ArrayList<>());
      });
    }
    byLoop.forEach((loop, its) -> handOver(loop, its, awaited.getOrDefault(loop, 0)));
    if (others.isEmpty()) {
      return;
    }
    if (othersHere) {
      others.forEach(Reply::send);
    } else {
      handOver(executor, others, 0);
    }
  }

  /**
   * Sends {@code replies} on {@code thread}, which then learns that {@code arrived} answers it
   * awaited have arrived; on this worker when the thread takes no more tasks.
   */
  private void handOver(Executor thread, List<Reply> replies, int arrived) {
    try {
      thread.execute(() -> {
        replies.forEach(Reply::send);
        if (arrived > 0) {
          loops.answersArrived(arrived);
        }
      });
    } catch (RejectedExecutionException e) {
      replies.forEach(Reply::send);
    }
  }

  /** Items taken off the queue: all of them, and those whose calls were still open, the batch. */
  private record Taken<T>(List<Pending<T>> all, List<Pending<T>> open) {}

  /** Waiting items, up to {@code maxBatch} of them with calls still open, and the cancelled ones among them. */
  private Taken<T> take() {
    List<Pending<T>> all = new ArrayList<>();
    List<Pending<T>> open = new ArrayList<>();
    while (open.size() < maxBatch) {
      Pending<T> next = waiting.poll();
      if (next == null) {
        break;
      }
      all.add(next);
      if (!next.context.isCancelled()) {
        open.add(next);
      }
    }
    return new Taken<>(all, open);
  }

  private List<Reply> run(List<Pending<T>> batch) {
    if (batch.size() == 1) {
      // its call's own context, trace included, ends with the call: no context, timer or trace scope of its own
      Context call = batch.get(0).context;
      Context previous = call.attach();
      try {
        return workOrFail(batch);
      } finally {
        call.detach(previous);
      }
    }
    // the batch's statements are traced as work of its first call
    return CallTraces.callInTraceOf(batch.get(0).context, () -> workBounded(batch));
  }

  private List<Reply> workBounded(List<Pending<T>> batch) {
    Context.CancellableContext bounded = latestDeadline(batch)
        .map(deadline -> Context.ROOT.withDeadline(deadline, deadlines))
        .orElseGet(Context.ROOT::withCancellation);
    Context previous = bounded.attach();
    try {
      return workOrFail(batch);
    } finally {
      bounded.detach(previous);
      bounded.cancel(null);
    }
  }

  private List<Reply> workOrFail(List<Pending<T>> batch) {
    try {
      return requireNonNull(work.run(batch), "replies");
    } catch (RuntimeException e) {
      List<Reply> failures = new ArrayList<>(batch.size());
      batch.forEach(pending -> failures.add(pending.reply(() -> pending.item.answer().failed(e))));
      return failures;
    }
  }

  /** The latest deadline of the batch's calls; none when any call has none. */
  private static Optional<Deadline> latestDeadline(List<? extends Pending<?>> batch) {
    Deadline latest = null;
    for (Pending<?> pending : batch) {
      Deadline deadline = pending.context.getDeadline();
      if (deadline == null) {
        return Optional.empty();
      }
      latest = latest == null || latest.isBefore(deadline) ? deadline : latest;
    }
    return Optional.ofNullable(latest);
  }
}
