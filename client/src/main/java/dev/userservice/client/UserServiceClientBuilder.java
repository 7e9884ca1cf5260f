package dev.userservice.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds a {@link UserServiceClient}. Plaintext unless {@link #tls} is set; no token unless
 * {@link #bearerTokens} is set; each method's deadline from {@link ClientMethod} unless
 * {@link #deadline} sets another.
 *
 * <p>Keepalive: a ping after 5 minutes without reads, and only while calls are open
 * ({@code keepAliveWithoutCalls(false)}). grpc-java servers, user-service included, refuse
 * pings more often than every 5 minutes by default and close the connection of a client that
 * sends them, so the client stays at that limit.
 */
public final class UserServiceClientBuilder {
  static final Duration KEEPALIVE_TIME = Duration.ofMinutes(5);
  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);
  static final int MAX_LIST_REOPENS = 100;
  /**
   * Largest answer the client takes: a BulkCreateUsers answer carries about 38 bytes per created
   * id, so gRPC's 4 MiB default would refuse the answer to a stream of more than about 110,000.
   */
  static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

  private final String target;
  private final Map<ClientMethod, Duration> deadlines = new EnumMap<>(ClientMethod.class);
  private Path trustedCaFile;
  private Path clientCertChainFile;
  private Path clientPrivateKeyFile;
  private Supplier<String> tokens;
  private int listReopens = 5;
  private Duration closeTimeout = Duration.ofSeconds(5);
  private OpenTelemetry openTelemetry;

  UserServiceClientBuilder(String target) {
    requireNonNull(target, "target");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target: \"" + target + "\" (expected: host:port or dns:///name:port)");
    }
    this.target = target;
    for (ClientMethod method : ClientMethod.values()) {
      deadlines.put(method, method.defaultDeadline());
    }
  }

  /** Connects over TLS, trusting the CA certificates in this PEM file. */
  public UserServiceClientBuilder tls(Path trustedCaFile) {
    this.trustedCaFile = requireNonNull(trustedCaFile, "trustedCaFile");
    return this;
  }

  /** Presents this client certificate (PEM chain and PKCS#8 key) to a service that requires mutual TLS. */
  public UserServiceClientBuilder clientCertificate(Path certChainFile, Path privateKeyFile) {
    this.clientCertChainFile = requireNonNull(certChainFile, "certChainFile");
    this.clientPrivateKeyFile = requireNonNull(privateKeyFile, "privateKeyFile");
    return this;
  }

  /**
   * Sends {@code authorization: Bearer <token>} with every call, asking {@code tokens} for the
   * token each time; a null or empty token sends none.
   */
  public UserServiceClientBuilder bearerTokens(Supplier<String> tokens) {
    this.tokens = requireNonNull(tokens, "tokens");
    return this;
  }

  /** The deadline of every call of {@code method} made without one of its own. */
  public UserServiceClientBuilder deadline(ClientMethod method, Duration timeout) {
    requireNonNull(method, "method");
    deadlines.put(method, checkTimeout("timeout", timeout));
    return this;
  }

  /** How often one listing may reopen after UNAVAILABLE mid-stream (default 5; 0 never reopens). */
  public UserServiceClientBuilder listReopens(int listReopens) {
    if (listReopens < 0 || listReopens > MAX_LIST_REOPENS) {
      throw new IllegalArgumentException(
          "listReopens: " + listReopens + " (expected: 0.." + MAX_LIST_REOPENS + ")");
    }
    this.listReopens = listReopens;
    return this;
  }

  /** How long {@link UserServiceClient#close()} lets calls in flight finish (default 5 s). */
  public UserServiceClientBuilder closeTimeout(Duration closeTimeout) {
    this.closeTimeout = checkTimeout("closeTimeout", closeTimeout);
    return this;
  }

  /**
   * Records gRPC's client-side metrics of gRFC A66 ({@code grpc.client.attempt.started},
   * {@code grpc.client.attempt.duration}, {@code grpc.client.call.duration}, the sent and received
   * compressed message sizes, labelled {@code grpc.method}, {@code grpc.target} and
   * {@code grpc.status}) through the meter provider of {@code openTelemetry}, the caller's own
   * SDK. Without it the client records no metrics.
   */
  public UserServiceClientBuilder openTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
    return this;
  }

  /**
   * Creates the client and its channel; connections are made on the first call.
   *
   * @throws IllegalArgumentException when a certificate or key file cannot be used, or the target is not valid
   */
  public UserServiceClient build() {
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, credentials())
        .defaultServiceConfig(ServiceConfigs.load())
        .enableRetry()
        .keepAliveTime(KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveWithoutCalls(false)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    if (openTelemetry != null) {
      GrpcOpenTelemetry.newBuilder().sdk(openTelemetry).build().configureChannelBuilder(builder);
    }
    ManagedChannel channel = builder.build();
    return new UserServiceClient(channel, tokens == null ? null : new BearerTokenCredentials(tokens), deadlines,
        listReopens, closeTimeout);
  }

  private ChannelCredentials credentials() {
    if (trustedCaFile == null) {
      if (clientCertChainFile != null) {
        throw new IllegalStateException("clientCertificate needs tls(trustedCaFile) as well");
      }
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    try {
      tls.trustManager(trustedCaFile.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("trustedCaFile: " + trustedCaFile + " (expected: PEM CA certificates): "
          + e.getMessage(), e);
    }
    if (clientCertChainFile != null) {
      try {
        tls.keyManager(clientCertChainFile.toFile(), clientPrivateKeyFile.toFile());
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("clientCertificate: " + clientCertChainFile + ", " + clientPrivateKeyFile
            + " (expected: a PEM certificate chain and its PKCS#8 PEM key): " + e.getMessage(), e);
      }
    }
    return tls.build();
  }

  static Duration checkTimeout(String name, Duration timeout) {
    requireNonNull(timeout, name);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(name + ": " + timeout + " (expected: > 0)");
    }
    return timeout;
  }
}
