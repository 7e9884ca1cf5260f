package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kept workers are there from the start; work beyond them still gets threads of its own. */
class DatabaseWorkerThreadsTest {

  @Test
  void keptWorkers_startedAtOnce_andMoreWorkThanThemStillRuns() throws Exception {
    long before = workerThreads();
    try (DatabaseWorkerThreads threads = DatabaseWorkerThreads.start(3)) {
      assertThat(workerThreads() - before).isEqualTo(3);

      // five tasks that each wait for all five: they finish only if each has a thread of its own
      CountDownLatch started = new CountDownLatch(5);
      CountDownLatch done = new CountDownLatch(5);
      for (int i = 0; i < 5; i++) {
        threads.workers().threads().execute(() -> {
          started.countDown();
          try {
            if (started.await(10, TimeUnit.SECONDS)) {
              done.countDown();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static long workerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().startsWith("db-worker-"))
        .count();
  }
}
