package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestCertificates;
import dev.userservice.testing.TestTokens;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS on the real Netty transport, with certificates made for the test. */
class TlsTest {
  @TempDir
  static Path dir;
  static TestCertificates certs;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.generate(dir);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private int start(boolean mutual, String... more) {
    return startApp(mutual, more).port();
  }

  private UserServiceApp startApp(boolean mutual, String... more) {
    List<String> args = new ArrayList<>(List.of("--grpc-port=0", "--metrics-port=0", "--drain-delay-ms=0",
        "--tls-cert-file=" + certs.serverCert, "--tls-key-file=" + certs.serverKey,
        "--database-url=" + DatabaseSettings.inMemoryUrl("tls" + UUID.randomUUID().toString().replace("-", ""))));
    if (mutual) {
      args.add("--tls-client-ca-file=" + certs.caCert);
    }
    args.addAll(List.of(more));
    UserServiceApp app = UserServiceApp.start(Config.load(args.toArray(String[]::new),
        Map.of("JWT_SECRET", TestTokens.SECRET)));
    resources.add(app);
    return app;
  }

  private ManagedChannel plaintext(int port) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, InsecureChannelCredentials.create())
        .build();
    resources.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  @Test
  void mutualTls_healthPort_answersPlaintextProbesAndServesNothingElse() {
    int healthPort = NettyService.freePort();
    UserServiceApp app = startApp(true, "--health-port=" + healthPort);
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(plaintext(healthPort));

    assertThat(app.healthPort()).isEqualTo(healthPort);
    for (String service : List.of("", "user.v1.UserService", UserServer.LIVENESS_SERVICE)) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(health
          .withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus()).isEqualTo(ServingStatus.SERVING));
    }
    UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(plaintext(healthPort));
    assertThatThrownBy(() -> users.withDeadlineAfter(5, TimeUnit.SECONDS).createUser(CreateUserRequest.newBuilder().setEmail("probe@example.com").setName("Probe").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void healthPortUnset_noHealthOnlyServer() {
    assertThat(startApp(false).healthPort()).isEqualTo(-1);
  }

  private String createOver(int port, ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
    resources.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail(UUID.randomUUID() + "@example.com").setName("TLS").build())
        .getId();
  }

  @Test
  void tls_clientTrustingTheCa_connects() throws Exception {
    int port = start(false);

    String id = createOver(port, TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build());

    assertThat(id).isNotEmpty();
  }

  @Test
  void tls_plaintextClient_refused() {
    int port = start(false);

    assertThatThrownBy(() -> createOver(port, InsecureChannelCredentials.create()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void mutualTls_clientWithoutCertificate_refused() {
    int port = start(true);

    assertThatThrownBy(() -> createOver(port,
        TlsChannelCredentials.newBuilder().trustManager(certs.caCert.toFile()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void mutualTls_clientWithCertificate_connects() throws Exception {
    int port = start(true);

    String id = createOver(port, TlsChannelCredentials.newBuilder()
        .trustManager(certs.caCert.toFile())
        .keyManager(certs.clientCert.toFile(), certs.clientKey.toFile())
        .build());

    assertThat(id).isNotEmpty();
  }
}
