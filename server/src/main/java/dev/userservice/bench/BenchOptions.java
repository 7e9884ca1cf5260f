package dev.userservice.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one bench run does: which RPC, against which target, at a fixed concurrency (closed
 * loop) or a fixed rate (open loop), for how long after how much warm-up.
 *
 * @param target host:port of the service
 * @param rpc one of {@link #RPCS}
 * @param concurrency calls in flight at once (closed loop), or the most in flight (open loop)
 * @param rate calls started per second; 0 for a closed loop
 * @param warmup time before measuring
 * @param duration measured time
 * @param users users created before a get or list run
 * @param batch messages per stream: creates per BulkCreateUsers call, updates per UserUpdates call
 * @param pageSize ListUsers page size
 * @param calls calls to make, measured from the first with no warm-up; 0 to run for {@code duration}
 * @param readInterval for list: time between two messages the reader takes; zero reads as fast as it can
 * @param token bearer token; else minted from {@code jwtSecret}
 * @param jwtSecret the service's HS256 secret, to mint an admin token
 * @param idsFile for get: look up the user ids in this file (one a line) instead of creating {@code users} users
 */
public record BenchOptions(String target, String rpc, int concurrency, int rate, Duration warmup, Duration duration,
    int users, int batch, int pageSize, int calls, Duration readInterval, Optional<String> token,
    Optional<String> jwtSecret, Optional<Path> idsFile) {

  /** The RPCs a bench can drive. */
  public static final List<String> RPCS = List.of("get", "create", "create-password", "list", "bulk", "updates",
      "health", "hash");

  /**
   * Checks every value.
   *
   * @throws IllegalArgumentException naming the flag, its value and what was expected
   */
  public BenchOptions {
    requireNonNull(target, "target");
    requireNonNull(warmup, "warmup");
    requireNonNull(duration, "duration");
    requireNonNull(readInterval, "readInterval");
    requireNonNull(token, "token");
    requireNonNull(jwtSecret, "jwtSecret");
    requireNonNull(idsFile, "idsFile");
    if (!RPCS.contains(rpc)) {
      throw new IllegalArgumentException("--rpc: '" + rpc + "' (expected: one of " + RPCS + ")");
    }
    atLeast("--concurrency", concurrency, 1);
    atLeast("--rate", rate, 0);
    atLeast("--warmup-seconds", warmup.toSeconds(), 0);
    atLeast("--duration-seconds", duration.toSeconds(), 1);
    atLeast("--users", users, 1);
    atLeast("--batch", batch, 1);
    atLeast("--page-size", pageSize, 1);
    atLeast("--calls", calls, 0);
    atLeast("--read-interval-ms", readInterval.toMillis(), 0);
    if (calls > 0 && rate > 0) {
      throw new IllegalArgumentException("--calls and --rate: choose one (--calls runs a closed loop)");
    }
  }

  /** Messages per stream when {@code --batch} is not given: fewer for updates, each answered on its own. */
  public static int defaultBatch(String rpc) {
    return "updates".equals(rpc) ? 100 : 1000;
  }

  private static void atLeast(String flag, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: >= " + min + ")");
    }
  }
}
