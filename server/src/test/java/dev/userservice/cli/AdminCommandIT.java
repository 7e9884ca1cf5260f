package dev.userservice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first admin made without SQL while the packaged service runs: {@code admin grant-role} run
 * as a second process on the same settings, on the embedded database and on PostgreSQL.
 */
class AdminCommandIT {
  private static final Duration EXIT = Duration.ofSeconds(60);
  private static final String PASSWORD = "correct horse battery";

  private static User createAda(ManagedChannel channel) {
    return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail("ada@example.com").setName("Ada Lovelace")
            .setPassword(PASSWORD).build());
  }

  private static String login(ManagedChannel channel) {
    return AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .login(LoginRequest.newBuilder().setEmail("ada@example.com").setPassword(PASSWORD).build()).getAccessToken();
  }

  private static Status.Code listUsers(ManagedChannel channel, String token) {
    try {
      UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .withCallCredentials(TestTokens.bearer(token)).listUsers(ListUsersRequest.getDefaultInstance()).next();
      return Status.Code.OK;
    } catch (io.grpc.StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static BulkCreateResponse bulkCreate(ManagedChannel channel, String token, String email) throws Exception {
    RecordingObserver<BulkCreateResponse> answer = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = UserServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withCallCredentials(TestTokens.bearer(token)).bulkCreateUsers(answer);
    requests.onNext(CreateUserRequest.newBuilder().setEmail(email).setName("Bulk").build());
    requests.onCompleted();
    assertThat(answer.awaitEnd().isOk()).as("BulkCreateUsers: %s", answer.error()).isTrue();
    return answer.values().get(0);
  }

  /** Runs {@code admin <args>} as its own process with {@code env} and waits for it. */
  private static ServiceProcess admin(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("admin"));
    command.addAll(List.of(args));
    ServiceProcess admin = ServiceProcess.launch(env, command.toArray(String[]::new));
    admin.awaitExit(EXIT);
    return admin;
  }

  @Test
  void grantRole_embeddedDatabaseWhileServiceRuns_heldFromTheNextLogin(@TempDir Path dataDir) throws Exception {
    Map<String, String> env = Map.of("DATA_DIR", dataDir.toString(), "JWT_SECRET", TestTokens.SECRET);
    try (ServiceProcess service = ServiceProcess.start(env)) {
      createAda(service.channel());
      String before = login(service.channel());
      // the account is cached without the role now
      assertThat(listUsers(service.channel(), before)).isEqualTo(Status.Code.PERMISSION_DENIED);
      Path accessFile = dataDir.resolve("users.access");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(accessFile))).isEqualTo("rw-------");

      try (ServiceProcess grant = admin(env, "grant-role", "--email", "Ada@Example.com", "--role", "admin")) {
        assertThat(grant.awaitExit(EXIT)).as(grant.output()).isZero();
        assertThat(grant.output()).contains("granted the role admin to ada@example.com")
            .contains("the running service applies it at the account's next Login")
            .contains("database: the embedded database in " + dataDir.toAbsolutePath().normalize()
                + ", through the running service");
      }
      String after = login(service.channel());

      assertThat(listUsers(service.channel(), after)).isEqualTo(Status.Code.OK);
      assertThat(bulkCreate(service.channel(), after, "edsger@example.com").getCreatedCount()).isEqualTo(1);
      try (ServiceProcess list = admin(env, "list-admins")) {
        assertThat(list.awaitExit(EXIT)).isZero();
        assertThat(list.output()).contains("ada@example.com ACTIVE admin");
      }
      assertThat(service.terminate()).isZero();
      assertThat(accessFile).doesNotExist();
    }
  }

  /**
   * The embedded database's server for admin commands listens on the loopback interface only, and
   * serves nothing but the service's database, to a client naming its key.
   */
  @Test
  void embeddedDatabaseServer_loopbackOnlyAndOnlyWithItsKey(@TempDir Path dataDir) throws Exception {
    try (ServiceProcess service = ServiceProcess.start(Map.of("DATA_DIR", dataDir.toString()))) {
      Properties access = new Properties();
      try (Reader in = Files.newBufferedReader(dataDir.resolve("users.access"))) {
        access.load(in);
      }
      int port = Integer.parseInt(access.getProperty("port"));
      String key = access.getProperty("key");

      try (Connection withKey = DriverManager.getConnection("jdbc:h2:tcp://127.0.0.1:" + port + "/" + key, "", "")) {
        assertThat(withKey.isValid(5)).isTrue();
      }
      for (String other : List.of("0".repeat(64), "mem:management_db_" + port, dataDir.resolve("users").toString())) {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:h2:tcp://127.0.0.1:" + port + "/" + other, "", "")
            .close()).as(other).isInstanceOf(SQLException.class);
      }
      List<InetAddress> otherInterfaces = NetworkInterface.networkInterfaces().filter(this::isUp)
          .flatMap(NetworkInterface::inetAddresses).filter(a -> !a.isLoopbackAddress()).toList();
      assertThat(otherInterfaces).as("this machine has an address besides loopback").isNotEmpty();
      for (InetAddress address : otherInterfaces) {
        try (Socket socket = new Socket()) {
          assertThatThrownBy(() -> socket.connect(new InetSocketAddress(address, port), 2000)).as("%s", address)
              .isInstanceOf(IOException.class);
        }
      }
    }
  }

  private boolean isUp(NetworkInterface network) {
    try {
      return network.isUp();
    } catch (SocketException e) {
      return false;
    }
  }

  @Test
  void grantRole_unknownEmail_exitCodeThreeNamingIt(@TempDir Path dataDir) throws Exception {
    Map<String, String> env = Map.of("DATA_DIR", dataDir.toString());
    try (ServiceProcess service = ServiceProcess.start(env)) {
      createAda(service.channel());

      try (ServiceProcess grant = admin(env, "grant-role", "--email", "nobody@example.com", "--role", "admin")) {
        assertThat(grant.awaitExit(EXIT)).isEqualTo(3);
        assertThat(grant.output()).contains("user-service admin grant-role: no user has the email 'nobody@example.com'");
      }
    }
  }

  @Test
  void grantRole_noDatabaseYet_exitCodeOneSayingSo(@TempDir Path dataDir) throws Exception {
    try (ServiceProcess grant = admin(Map.of("DATA_DIR", dataDir.toString()), "grant-role", "--email",
        "ada@example.com", "--role", "admin")) {
      assertThat(grant.awaitExit(EXIT)).isEqualTo(1);
      assertThat(grant.output()).contains("no embedded database in " + dataDir.toAbsolutePath().normalize());
      assertThat(dataDir.resolve("users.mv.db")).doesNotExist();
    }
  }

  @Test
  void grantRole_postgres_everyReplicaAppliesItToTokensIssuedBefore() throws Exception {
    String schema = TestDatabases.createPostgresSchema();
    Map<String, String> env = ServiceProcess.postgresEnvironment(schema, Map.of("DB_POOL_SIZE", "3"));
    try (ServiceProcess first = ServiceProcess.start(env);
        ServiceProcess second = ServiceProcess.start(env)) {
      createAda(first.channel());
      String token = login(first.channel());
      // both replicas cache the account without the role
      assertThat(listUsers(first.channel(), token)).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(listUsers(second.channel(), token)).isEqualTo(Status.Code.PERMISSION_DENIED);

      try (ServiceProcess grant = admin(env, "grant-role", "--email", "ada@example.com", "--role", "admin")) {
        assertThat(grant.awaitExit(EXIT)).as(grant.output()).isZero();
        assertThat(grant.output()).contains("every running replica applies it now")
            .contains("database: PostgreSQL at jdbc:postgresql://");
      }

      // the same token, no new Login: the change feed carried the role to both
      await().atMost(Duration.ofSeconds(5)).until(() -> listUsers(first.channel(), token) == Status.Code.OK
          && listUsers(second.channel(), token) == Status.Code.OK);
      assertThat(bulkCreate(second.channel(), token, "grace@example.com").getCreatedCount()).isEqualTo(1);

      try (ServiceProcess revoke = admin(env, "revoke-role", "--email", "ada@example.com", "--role", "admin")) {
        assertThat(revoke.awaitExit(EXIT)).as(revoke.output()).isZero();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> listUsers(first.channel(), token) == Status.Code.PERMISSION_DENIED
          && listUsers(second.channel(), token) == Status.Code.PERMISSION_DENIED);
    } finally {
      TestDatabases.dropSchema(schema);
    }
  }
}
