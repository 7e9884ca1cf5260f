package dev.userservice.bench;

import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.auth.TokenService;
import dev.userservice.auth.TokenSettings;
import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar user-service.jar bench ...}: load for one RPC against a running service,
 * then throughput and latency percentiles. See {@link BenchOptions#USAGE}.
 */
public final class BenchCommand {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

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
    String token = options.token().orElseGet(() -> adminToken(options));
    ManagedChannel channel = Grpc.newChannelBuilder(options.target(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
    try {
      var stub = UserServiceGrpc.newStub(channel).withCallCredentials(bearer(token));
      BenchOperation operation = new BenchOperations(stub, options).prepare();
      BenchResult result = new LoadRunner(operation, options).run();
      System.out.print(result.format());
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static String adminToken(BenchOptions options) {
    String secret = options.jwtSecret().orElseThrow(() -> new IllegalArgumentException(
        "bench needs --token, --jwt-secret or $JWT_SECRET (the service's secret) to call as admin"));
    return TokenService.create(TokenSettings.hs256(secret), Clock.systemUTC())
        .issue("bench", Set.of("admin")).token();
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        applier.apply(headers);
      }
    };
  }
}
