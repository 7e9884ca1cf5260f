package dev.userservice.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** How the application names the threads of its pools and stops a pool. */
final class ThreadPools {
  private ThreadPools() {}

  /** Daemon threads named {@code prefix} and a number from 0. */
  static ThreadFactory daemon(String prefix) {
    return new ThreadFactoryBuilder().setNameFormat(prefix + "%d").setDaemon(true).build();
  }

  /** Refuses new work and waits a few seconds for the work under way, keeping an interrupt. */
  static void stop(ExecutorService pool) {
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
