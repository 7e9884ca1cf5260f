package dev.userservice.bench;

import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.Recorder;

/**
 * Drives an operation in a closed loop (a fixed number in flight, each completion starting the
 * next) or an open loop (a fixed start rate, latency counted from each call's intended start so
 * a stalled server is not hidden), warms up, then measures for the given duration; or, with
 * {@code --calls}, makes exactly that many calls in a closed loop and measures them all.
 */
final class LoadRunner {
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final BenchOperation operation;
  private final BenchOptions options;
  private final Recorder latencies = new Recorder(MAX_LATENCY_MICROS, 3);
  private final LongAdder operations = new LongAdder();
  private final LongAdder messages = new LongAdder();
  private final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
  /** Open loop: starts that came while every call allowed in flight was still running; no call was made for them. */
  private final LongAdder missedStarts = new LongAdder();
  private volatile boolean measuring;
  private volatile boolean running = true;
  /** Calls the closed loop may still start; unlimited unless {@code --calls} is given. */
  private final AtomicLong unstarted;
  private final CountDownLatch counted;

  LoadRunner(BenchOperation operation, BenchOptions options) {
    this.operation = operation;
    this.options = options;
    this.unstarted = new AtomicLong(options.calls() > 0 ? options.calls() : Long.MAX_VALUE);
    this.counted = new CountDownLatch(options.calls());
  }

  /** Makes exactly {@code --calls} calls, at most {@code --concurrency} at once, and measures them all. */
  private BenchResult runCounted() throws InterruptedException {
    Semaphore inFlight = new Semaphore(options.concurrency());
    measuring = true;
    long start = System.nanoTime();
    for (int i = 0; i < options.concurrency() && unstarted.getAndDecrement() > 0; i++) {
      inFlight.acquire();
      launch(System.nanoTime(), inFlight, true);
    }
    counted.await();
    long elapsed = System.nanoTime() - start;
    measuring = false;
    running = false;
    return result(elapsed);
  }

  private BenchResult result(long elapsedNanos) {
    return new BenchResult(options, Duration.ofNanos(elapsedNanos), operations.sum(), messages.sum(),
        latencies.getIntervalHistogram(), errors.entrySet().stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().sum())), missedStarts.sum());
  }

  /** Runs the warm-up and the measured phase and returns what was measured. */
  BenchResult run() throws InterruptedException {
    if (options.calls() > 0) {
      return runCounted();
    }
    Semaphore inFlight = new Semaphore(options.concurrency());
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      if (options.rate() > 0) {
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.rate();
        AtomicLong next = new AtomicLong(System.nanoTime());
        scheduler.scheduleAtFixedRate(() -> {
          long intended = next.getAndAdd(periodNanos);
          if (running && inFlight.tryAcquire()) {
            launch(intended, inFlight, false);
          } else if (running && measuring) {
            missedStarts.increment();
          }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
      } else {
        for (int i = 0; i < options.concurrency(); i++) {
          inFlight.acquire();
          launch(System.nanoTime(), inFlight, true);
        }
      }
      sleep(options.warmup());
      latencies.reset();
      measuring = true;
      long start = System.nanoTime();
      sleep(options.duration());
      measuring = false;
      long elapsed = System.nanoTime() - start;
      running = false;
      BenchResult result = result(elapsed);
      // let the calls in flight finish before the channel closes
      inFlight.tryAcquire(options.concurrency(), 30, TimeUnit.SECONDS);
      return result;
    } finally {
      running = false;
      scheduler.shutdownNow();
    }
  }

  private void launch(long intendedStart, Semaphore inFlight, boolean closedLoop) {
    operation.start(new BenchOperation.Outcome() {
      @Override
      public void moved(int count) {
        if (measuring) {
          messages.add(count);
        }
      }

      @Override
      public void succeeded() {
        finish(intendedStart);
        if (measuring) {
          operations.increment();
        }
        counted.countDown();
        next();
      }

      @Override
      public void failed(Status status) {
        finish(intendedStart);
        if (measuring) {
          errors.computeIfAbsent(status.getCode(), c -> new LongAdder()).increment();
        }
        counted.countDown();
        next();
      }

      private void next() {
        if (closedLoop && running && unstarted.getAndDecrement() > 0) {
          // the next call starts afresh, not as a child of the context this call's answer runs in:
          // chained so, contexts would nest one level deeper with every call
          Context.ROOT.run(() -> launch(System.nanoTime(), inFlight, true));
        } else {
          inFlight.release();
        }
      }
    });
  }

  private void finish(long intendedStart) {
    if (measuring) {
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intendedStart);
      latencies.recordValue(Math.min(Math.max(1, micros), MAX_LATENCY_MICROS));
    }
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }
}
