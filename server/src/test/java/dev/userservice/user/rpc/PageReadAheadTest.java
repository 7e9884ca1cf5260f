package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.user.DatabaseWorkers;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page reads of all ListUsers streams: the database workers add a thread for every task that
 * finds them busy, so the reads must bound themselves.
 */
class PageReadAheadTest {
  private final ExecutorService growingThreads = Executors.newCachedThreadPool();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    growingThreads.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void reads_onWorkersThatGrow_runAtMostMostReadsAtOnce_andEveryOneRuns() throws InterruptedException {
    PageReadAhead readAhead = PageReadAhead.on(new DatabaseWorkers(growingThreads, timer));
    int reads = PageReadAhead.MOST_READS * 3;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch databaseAnswers = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(reads);

    for (int i = 0; i < reads; i++) {
      readAhead.reads().execute(() -> {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          databaseAnswers.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
        done.countDown();
      });
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == PageReadAhead.MOST_READS);
    databaseAnswers.countDown();

    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(most.get()).isEqualTo(PageReadAhead.MOST_READS);
  }
}
