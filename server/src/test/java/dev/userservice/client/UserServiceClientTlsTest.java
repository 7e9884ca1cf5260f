package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import dev.userservice.testing.TestCertificates;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS and mutual TLS, against the service serving certificates made for the test. */
class UserServiceClientTlsTest {
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

  private String start(boolean mutual) {
    List<String> args = new ArrayList<>(List.of("--grpc-port=0", "--metrics-port=0", "--drain-delay-ms=0", "--tls-cert-file=" + certs.serverCert,
        "--tls-key-file=" + certs.serverKey, "--shutdown-grace-ms=2000",
        "--database-url=" + DatabaseSettings.inMemoryUrl("tls" + UUID.randomUUID().toString().replace("-", ""))));
    if (mutual) {
      args.add("--tls-client-ca-file=" + certs.caCert);
    }
    UserServiceApp app = UserServiceApp.start(Config.load(args.toArray(String[]::new),
        Map.of("JWT_SECRET", TestTokens.SECRET)));
    resources.add(app);
    return "localhost:" + app.port();
  }

  private <T extends AutoCloseable> T closeAfter(T resource) {
    resources.add(resource);
    return resource;
  }

  private static CreateUserRequest newUser() {
    return CreateUserRequest.newBuilder().setEmail(UUID.randomUUID() + "@example.com").setName("TLS").build();
  }

  @Test
  void createUser_tlsTrustingTheCa_succeeds() {
    UserServiceClient client = closeAfter(UserServiceClient.builder(start(false)).tls(certs.caCert).build());

    assertThat(client.createUser(newUser()).getId()).isNotEmpty();
  }

  @Test
  void createUser_plaintextToTlsService_unavailable() {
    UserServiceClient client = closeAfter(UserServiceClient.builder(start(false)).build());

    UserServiceException e = catchThrowableOfType(UserServiceException.class, () -> client.createUser(newUser()));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void createUser_mutualTlsWithClientCertificate_succeeds() {
    UserServiceClient client = closeAfter(UserServiceClient.builder(start(true))
        .tls(certs.caCert)
        .clientCertificate(certs.clientCert, certs.clientKey)
        .build());

    assertThat(client.createUser(newUser()).getId()).isNotEmpty();
  }

  @Test
  void createUser_mutualTlsWithoutClientCertificate_unavailable() {
    UserServiceClient client = closeAfter(UserServiceClient.builder(start(true)).tls(certs.caCert).build());

    UserServiceException e = catchThrowableOfType(UserServiceException.class, () -> client.createUser(newUser()));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void build_unreadableCaFile_rejectedNamingTheFile() {
    Path missing = dir.resolve("missing-ca.pem");

    IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
        () -> UserServiceClient.builder("localhost:1").tls(missing).build());

    assertThat(e).hasMessageContaining("trustedCaFile: " + missing);
  }
}
