package dev.userservice.bench;

import dev.userservice.client.BearerTokenCredentials;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.identity.TokenService;
import dev.userservice.identity.TokenSettings;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The load generator: load for one RPC against a running service, then throughput and latency
 * percentiles on standard output.
 */
public final class Bench {
  private Bench() {}

  /** Runs the bench and returns the process exit code. */
  public static int run(BenchOptions options) throws Exception {
    if (options.rpc().equals("hash")) {
      System.out.print(hashRate(options).format());
      return 0;
    }
    return withOperations(options, (operations, token) -> {
      BenchResult result = new LoadRunner(operations.prepare(), options).run();
      System.out.print(result.format());
    });
  }

  /**
   * Writes one request of the RPC to {@code file} as a native load generator sends it (see
   * {@link RequestFrame}) after making it once, and prints a line {@code FRAME path=...
   * request_bytes=... response_bytes=... authorization=Bearer ...} with what the generator needs
   * to send it and to check the answers. Returns the process exit code.
   */
  public static int writeFrame(BenchOptions options, Path file) throws Exception {
    return withOperations(options, (operations, token) -> {
      RequestFrame frame = operations.sample();
      Files.write(file, frame.body());
      System.out.printf("FRAME path=%s request_bytes=%d response_bytes=%d authorization=Bearer %s%n", frame.path(),
          frame.body().length, frame.responseBytes(), token);
    });
  }

  /** What a bench does with its operations and the token they call with. */
  private interface Work {
    void run(BenchOperations operations, String token) throws Exception;
  }

  private static int withOperations(BenchOptions options, Work work) throws Exception {
    String token;
    try {
      token = options.token().orElseGet(() -> adminToken(options));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      return 2;
    }
    ManagedChannel channel = Grpc.newChannelBuilder(options.target(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(64 * 1024 * 1024)
        // callbacks only record a sample and start the next call: run them on the event loop, so
        // the load generator spends as little of the machine as it can
        .directExecutor()
        .build();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      work.run(new BenchOperations(channel, BearerTokenCredentials.of(() -> token), options, scheduler), token);
      return 0;
    } finally {
      scheduler.shutdownNow();
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The baseline for creates with a password: Argon2id hashes in this process, one after another
   * on each of {@code --concurrency} threads (1 gives the single-hash time).
   */
  private static BenchResult hashRate(BenchOptions options) throws InterruptedException {
    int threads = options.concurrency();
    PasswordHasher hasher = new PasswordHasher(threads);
    Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    LongAdder count = new LongAdder();
    long warmupEnd = System.nanoTime() + options.warmup().toNanos();
    long end = warmupEnd + options.duration().toNanos();
    List<Thread> hashing = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < warmupEnd) {
          hasher.hash("warm-up password");
        }
        while (System.nanoTime() < end) {
          long before = System.nanoTime();
          hasher.hash("bench password " + before);
          synchronized (micros) {
            micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - before)));
          }
          count.increment();
        }
      }, "hash-" + t);
      thread.start();
      hashing.add(thread);
    }
    for (Thread thread : hashing) {
      thread.join();
    }
    return new BenchResult(options, options.duration(), count.sum(), count.sum(), micros, Map.of(), 0);
  }

  private static String adminToken(BenchOptions options) {
    String secret = options.jwtSecret().orElseThrow(() -> new IllegalArgumentException(
        "bench needs --token, --jwt-secret or $JWT_SECRET (the service's secret) to call as admin"));
    return TokenService.create(TokenSettings.hs256(secret), Clock.systemUTC())
        .issue("bench", Set.of("admin")).token();
  }

}
