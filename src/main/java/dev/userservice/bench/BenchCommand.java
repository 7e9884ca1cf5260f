package dev.userservice.bench;

import dev.userservice.auth.PasswordHasher;
import dev.userservice.auth.TokenService;
import dev.userservice.auth.TokenSettings;
import dev.userservice.client.BearerTokenCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code java -jar user-service.jar bench ...}: load for one RPC against a running service,
 * then throughput and latency percentiles. See {@link BenchOptions#USAGE}.
 */
public final class BenchCommand {
  private BenchCommand() {}

  /** Runs the bench and returns the process exit code. */
  public static int run(String[] args, Map<String, String> env) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args, env);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage() + "\n\n" + BenchOptions.USAGE);
      return 2;
    }
    if (options.rpc().equals("hash")) {
      System.out.print(hashRate(options).format());
      return 0;
    }
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
      BenchOperation operation = new BenchOperations(channel, BearerTokenCredentials.of(() -> token), options,
          scheduler).prepare();
      BenchResult result = new LoadRunner(operation, options).run();
      System.out.print(result.format());
      return 0;
    } finally {
      scheduler.shutdownNow();
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** The baseline for creates with a password: Argon2id hashes, one at a time, in one thread. */
  private static BenchResult hashRate(BenchOptions options) {
    PasswordHasher hasher = new PasswordHasher(1);
    long warmupEnd = System.nanoTime() + options.warmup().toNanos();
    while (System.nanoTime() < warmupEnd) {
      hasher.hash("warm-up password");
    }
    Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long count = 0;
    while (System.nanoTime() < end) {
      long before = System.nanoTime();
      hasher.hash("bench password " + count);
      micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - before)));
      count++;
    }
    return new BenchResult(options, Duration.ofNanos(System.nanoTime() - start), count, count, micros, Map.of());
  }

  private static String adminToken(BenchOptions options) {
    String secret = options.jwtSecret().orElseThrow(() -> new IllegalArgumentException(
        "bench needs --token, --jwt-secret or $JWT_SECRET (the service's secret) to call as admin"));
    return TokenService.create(TokenSettings.hs256(secret), Clock.systemUTC())
        .issue("bench", Set.of("admin")).token();
  }

}
