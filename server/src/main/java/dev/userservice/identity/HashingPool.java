package dev.userservice.identity;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that hash and verify passwords, with admission: work that finds every thread busy
 * and the queue full is refused at once, so a flood of expensive calls is turned away instead
 * of waiting behind everything, and other calls keep their threads. Idle threads end after a
 * minute.
 */
final class HashingPool implements AutoCloseable {
  private final ThreadPoolExecutor executor;

  HashingPool(int threads, int queue) {
    if (threads < 1 || queue < 0) {
      throw new IllegalArgumentException("threads: " + threads + ", queue: " + queue
          + " (expected: threads >= 1, queue >= 0)");
    }
    // a queue of 0 is a hand-off: work runs only when a thread is free
    this.executor = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
        queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
        new ThreadFactoryBuilder().setNameFormat("password-hash-%d").setDaemon(true).build(),
        new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code work} on a hashing thread.
   *
   * @throws HashingBusyException when every thread is busy and the queue is full
   */
  void execute(Runnable work) {
    try {
      executor.execute(work);
    } catch (RejectedExecutionException e) {
      throw new HashingBusyException();
    }
  }

  /** Refuses new work and lets queued work finish for a few seconds. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
