package dev.userservice.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one bench run does: which RPC, against which target, at a fixed concurrency (closed
 * loop) or a fixed rate (open loop), for how long after how much warm-up.
 *
 * @param rpc one of {@link #RPCS}
 * @param concurrency calls in flight at once (closed loop), or the most in flight (open loop)
 * @param rate calls started per second; 0 for a closed loop
 * @param users users created before a get or list run
 * @param batch messages per stream: creates per BulkCreateUsers call, updates per UserUpdates call
 * @param pageSize ListUsers page size
 * @param calls calls to make, measured from the first with no warm-up; 0 to run for {@code duration}
 * @param readInterval for list: time between two messages the reader takes; zero reads as fast as it can
 * @param token bearer token; else minted from {@code jwtSecret}
 */
record BenchOptions(String target, String rpc, int concurrency, int rate, Duration warmup, Duration duration,
    int users, int batch, int pageSize, int calls, Duration readInterval, Optional<String> token,
    Optional<String> jwtSecret) {

  static final List<String> RPCS = List.of("get", "create", "create-password", "list", "bulk", "updates", "health",
      "hash");

  static final String USAGE = """
      Usage: java -jar user-service.jar bench --rpc=NAME [--flag=value ...]
        --rpc              get | create | create-password | list | bulk | updates,
                           health: Health/Check, the service's floor without the database, or
                           hash: Argon2id hashes in this process, no server, one after
                           another on each of --concurrency threads
        --target           host:port of the service (default localhost:50051)
        --concurrency      calls in flight, or hashing threads (default 8)
        --rate             calls per second, open loop; 0 = closed loop at --concurrency (default 0)
        --warmup-seconds   warm-up before measuring (default 5)
        --duration-seconds measured time (default 20)
        --users            users created first for get and list (default 10000)
        --batch            messages per stream for bulk and updates (default 1000 / 100)
        --page-size        ListUsers page size (default 1000)
        --calls            make this many calls, all measured, instead of a warm-up and a
                           measured time (default 0: run for --duration-seconds)
        --read-interval-ms list: the reader takes one message per interval (default 0: at once)
        --token            bearer token with the admin role; or
        --jwt-secret       the service's HS256 secret to mint one (default: $JWT_SECRET)
      """;

  static BenchOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("unexpected argument: " + arg + " (expected: --name=value)");
      }
      flags.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    String rpc = flags.getOrDefault("rpc", "");
    if (!RPCS.contains(rpc)) {
      throw new IllegalArgumentException("--rpc: '" + rpc + "' (expected: one of " + RPCS + ")");
    }
    int defaultBatch = rpc.equals("updates") ? 100 : 1000;
    BenchOptions options = new BenchOptions(
        flags.getOrDefault("target", "localhost:50051"),
        rpc,
        positive(flags, "concurrency", 8),
        nonNegative(flags, "rate", 0),
        Duration.ofSeconds(nonNegative(flags, "warmup-seconds", 5)),
        Duration.ofSeconds(positive(flags, "duration-seconds", 20)),
        positive(flags, "users", 10_000),
        positive(flags, "batch", defaultBatch),
        positive(flags, "page-size", 1000),
        nonNegative(flags, "calls", 0),
        Duration.ofMillis(nonNegative(flags, "read-interval-ms", 0)),
        Optional.ofNullable(flags.get("token")),
        Optional.ofNullable(flags.getOrDefault("jwt-secret", env.get("JWT_SECRET"))));
    flags.keySet().removeAll(List.of("target", "rpc", "concurrency", "rate", "warmup-seconds", "duration-seconds",
        "users", "batch", "page-size", "calls", "read-interval-ms", "token", "jwt-secret"));
    if (!flags.isEmpty()) {
      throw new IllegalArgumentException("unknown flags: " + flags.keySet());
    }
    if (options.calls() > 0 && options.rate() > 0) {
      throw new IllegalArgumentException("--calls and --rate: choose one (--calls runs a closed loop)");
    }
    return options;
  }

  private static int positive(Map<String, String> flags, String name, int fallback) {
    int value = nonNegative(flags, name, fallback);
    if (value == 0) {
      throw new IllegalArgumentException("--" + name + ": 0 (expected: >= 1)");
    }
    return value;
  }

  private static int nonNegative(Map<String, String> flags, String name, int fallback) {
    String raw = flags.get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + ": '" + raw + "' (expected: a non-negative integer)");
  }
}
