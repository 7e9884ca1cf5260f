package dev.userservice.server;

import dev.userservice.identity.PasswordHasher;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that hash and verify passwords, with admission: work that finds every thread busy
 * and the queue full is rejected at once (the hasher turns that into UNAVAILABLE), so a flood of
 * expensive calls is turned away instead of waiting behind everything, and other calls keep
 * their threads. Idle threads end after a minute. Closed with the application.
 */
final class HashingThreads implements AutoCloseable {
  private final int threads;
  private final ThreadPoolExecutor executor;

  private HashingThreads(int threads, int queue) {
    this.threads = threads;
    // a queue of 0 is a hand-off: work runs only when a thread is free
    this.executor = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
        queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
        ThreadPools.daemon("password-hash-"),
        new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * {@code threads} hashing threads with room for {@code queue} waiting tasks.
   *
   * @throws IllegalArgumentException when {@code threads} is below 1 or {@code queue} below 0
   */
  static HashingThreads create(int threads, int queue) {
    if (threads < 1 || queue < 0) {
      throw new IllegalArgumentException("threads: " + threads + ", queue: " + queue
          + " (expected: threads >= 1, queue >= 0)");
    }
    return new HashingThreads(threads, queue);
  }

  /**
   * How many hashing threads to run when none are configured: half the cores, so that a flood of
   * password calls leaves the other half to lookups and health checks, but no more than hold a
   * quarter of the heap between them, so that a burst of hashes cannot exhaust the heap of a
   * small container on a machine with many cores; at least one.
   */
  static int defaultCount(int cores, long maxHeapBytes) {
    long fitInQuarterHeap = maxHeapBytes / 4 / PasswordHasher.BYTES_PER_HASH;
    return (int) Math.max(1, Math.min(cores / 2, fitInQuarterHeap));
  }

  /** The executor; it throws {@link java.util.concurrent.RejectedExecutionException} past its queue. */
  Executor executor() {
    return executor;
  }

  int threads() {
    return threads;
  }

  /** Refuses new work and lets queued work finish for a few seconds. */
  @Override
  public void close() {
    ThreadPools.stop(executor);
  }
}
