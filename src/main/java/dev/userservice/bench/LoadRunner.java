package dev.userservice.bench;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Drives an operation in a closed loop (a fixed number in flight, each completion starting the
 * next) or an open loop (a fixed start rate, latency counted from each call's intended start so
 * a stalled server is not hidden), warms up, then measures for the given duration.
 */
final class LoadRunner {
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final BenchOperation operation;
  private final BenchOptions options;
  private final Recorder latencies = new Recorder(MAX_LATENCY_MICROS, 3);
  private final LongAdder operations = new LongAdder();
  private final LongAdder messages = new LongAdder();
  private final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
  private volatile boolean measuring;
  private volatile boolean running = true;

  LoadRunner(BenchOperation operation, BenchOptions options) {
    this.operation = operation;
    this.options = options;
  }

  /** Runs the warm-up and the measured phase and returns what was measured. */
  BenchResult run() throws InterruptedException {
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
            errors.computeIfAbsent(Status.Code.RESOURCE_EXHAUSTED, c -> new LongAdder()).increment();
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
      var histogram = latencies.getIntervalHistogram();
      long ops = operations.sum();
      long msgs = messages.sum();
      // let the calls in flight finish before the channel closes
      inFlight.tryAcquire(options.concurrency(), 30, TimeUnit.SECONDS);
      return new BenchResult(options, Duration.ofNanos(elapsed), ops, msgs, histogram, Map.copyOf(
          errors.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))));
    } finally {
      running = false;
      scheduler.shutdownNow();
    }
  }

  private void launch(long intendedStart, Semaphore inFlight, boolean closedLoop) {
    operation.start(new BenchOperation.Outcome() {
      @Override
      public void succeeded(int count) {
        finish(intendedStart);
        if (measuring) {
          operations.increment();
          messages.add(count);
        }
        next();
      }

      @Override
      public void failed(Status status) {
        finish(intendedStart);
        if (measuring) {
          errors.computeIfAbsent(status.getCode(), c -> new LongAdder()).increment();
        }
        next();
      }

      private void next() {
        if (closedLoop && running) {
          launch(System.nanoTime(), inFlight, true);
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
