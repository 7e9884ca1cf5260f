package dev.userservice.cli;

import static java.util.Objects.requireNonNull;

import dev.userservice.bench.Bench;
import dev.userservice.bench.BenchOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code user-service bench --rpc NAME ...}: the load generator's options, checked by {@link BenchOptions}. */
@Command(name = "bench", sortOptions = false, showDefaultValues = true, usageHelpWidth = 100,
    description = "Drives one RPC against a running service at a fixed concurrency (closed loop) or rate (open "
        + "loop), after a warm-up, and prints throughput and latency percentiles.")
final class BenchCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Spec
  private CommandSpec spec;

  @Option(names = "--rpc", required = true, paramLabel = "<name>", description = {
      "get | create | create-password | list | bulk | updates,",
      "health: Health/Check, the service's floor without the database, or",
      "hash: Argon2id hashes in this process, no server, one after another on each of --concurrency threads"})
  private String rpc;

  @Option(names = "--target", paramLabel = "<host:port>", defaultValue = "localhost:50051",
      description = "the service")
  private String target;

  @Option(names = "--concurrency", paramLabel = "<n>", defaultValue = "8",
      description = "calls in flight, or hashing threads")
  private int concurrency;

  @Option(names = "--rate", paramLabel = "<n>", defaultValue = "0",
      description = "calls per second, open loop; 0: closed loop at --concurrency")
  private int rate;

  @Option(names = "--warmup-seconds", paramLabel = "<n>", defaultValue = "5", description = "warm-up before measuring")
  private int warmupSeconds;

  @Option(names = "--duration-seconds", paramLabel = "<n>", defaultValue = "20", description = "measured time")
  private int durationSeconds;

  @Option(names = "--users", paramLabel = "<n>", defaultValue = "10000",
      description = "users created first for get and list")
  private int users;

  @Option(names = "--batch", paramLabel = "<n>",
      description = "messages per stream for bulk and updates (default 1000, or 100 for updates)")
  private Integer batch;

  @Option(names = "--page-size", paramLabel = "<n>", defaultValue = "1000", description = "ListUsers page size")
  private int pageSize;

  @Option(names = "--calls", paramLabel = "<n>", defaultValue = "0", description = {
      "make this many calls, all measured, instead of a warm-up and a measured time",
      "(0: run for --duration-seconds)"})
  private int calls;

  @Option(names = "--read-interval-ms", paramLabel = "<n>", defaultValue = "0",
      description = "list: the reader takes one message per interval (0: at once)")
  private int readIntervalMillis;

  @Option(names = "--token", paramLabel = "<jwt>", description = "bearer token with the admin role; or")
  private String token;

  @Option(names = "--jwt-secret", paramLabel = "<secret>",
      description = "the service's HS256 secret to mint one (default: $JWT_SECRET)")
  private String jwtSecret;

  @Option(names = "--ids-file", paramLabel = "<file>",
      description = "get: look up the user ids in <file>, one a line, instead of creating --users users")
  private Path idsFile;

  @Option(names = "--frame-out", paramLabel = "<file>", description = {
      "get | create | health: make one call, write its request to <file> as HTTP/2 DATA bytes",
      "(gRPC prefix and protobuf, for h2load -d) and print a FRAME line with the path, the",
      "answer's size and the authorization header, instead of running load"})
  private Path frameOut;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  BenchCommand(Map<String, String> env) {
    this.env = requireNonNull(env, "env");
  }

  /** The options as given, checked. */
  BenchOptions options() {
    try {
      return new BenchOptions(target, rpc, concurrency, rate, Duration.ofSeconds(warmupSeconds),
          Duration.ofSeconds(durationSeconds), users, batch == null ? BenchOptions.defaultBatch(rpc) : batch,
          pageSize, calls, Duration.ofMillis(readIntervalMillis), Optional.ofNullable(token),
          Optional.ofNullable(jwtSecret).or(() -> Optional.ofNullable(env.get("JWT_SECRET"))),
          Optional.ofNullable(idsFile));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    return frameOut == null ? Bench.run(options()) : Bench.writeFrame(options(), frameOut);
  }
}
