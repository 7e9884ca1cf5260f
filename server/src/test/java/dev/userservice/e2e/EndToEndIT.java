package dev.userservice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started as a process, called over the network on each database. */
class EndToEndIT {
  @TempDir
  Path dataDir;

  @Test
  void everyRpc_onTheEmbeddedDefault() throws Exception {
    try (ServiceProcess service = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET), "--data-dir=" + dataDir)) {
      exerciseEveryRpc(service.channel());
    }
  }

  @Test
  void everyRpc_onPostgres() throws Exception {
    String schema = TestDatabases.createPostgresSchema();
    try (ServiceProcess service = ServiceProcess.start(ServiceProcess.postgresEnvironment(schema))) {
      exerciseEveryRpc(service.channel());
      assertThat(service.output()).contains("database-url=jdbc:postgresql:");
    } finally {
      TestDatabases.dropSchema(schema);
    }
  }

  @Test
  void embeddedData_survivesARestart() throws Exception {
    User created;
    try (ServiceProcess first = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET), "--data-dir=" + dataDir)) {
      created = stub(first.channel()).createUser(CreateUserRequest.newBuilder()
          .setEmail("kept@example.com").setName("Kept").build());
      assertThat(first.terminate()).isZero();
    }
    try (ServiceProcess second = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET), "--data-dir=" + dataDir)) {
      User fetched = stub(second.channel()).getUser(GetUserRequest.newBuilder().setUserId(created.getId()).build());
      assertThat(fetched).isEqualTo(created);
    }
  }

  @Test
  void invalidSetting_stopsTheStartNamingIt() throws Exception {
    try (ServiceProcess service = ServiceProcess.launch(Map.of("DB_POOL_SIZE", "zero"), "--data-dir=" + dataDir)) {
      assertThat(service.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(service.output()).contains("DB_POOL_SIZE").contains("'zero'").contains("expected");
    }
  }

  @Test
  void unreachableDatabase_stopsTheStartWithoutLeakingThePassword() throws Exception {
    try (ServiceProcess service = ServiceProcess.launch(Map.of(
        "DATABASE_URL", "postgres://app:topsecret@127.0.0.1:1/users", "DB_CONNECTION_TIMEOUT_MS", "500"))) {
      assertThat(service.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(service.output()).contains("cannot start").doesNotContain("topsecret");
    }
  }

  private static UserServiceGrpc.UserServiceBlockingStub stub(ManagedChannel channel) {
    return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin()));
  }

  private static void exerciseEveryRpc(ManagedChannel channel) throws Exception {
    // health, as a Kubernetes probe asks
    await().atMost(Duration.ofSeconds(10)).until(() -> HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("user.v1.UserService").build())
        .getStatus() == ServingStatus.SERVING);

    // CreateUser and GetUser
    var users = stub(channel);
    User ada = users.createUser(CreateUserRequest.newBuilder()
        .setEmail("Ada@Example.com").setName("Ada").setPassword("difference engine").build());
    assertThat(ada.getEmail()).isEqualTo("ada@example.com");
    assertThat(users.getUser(GetUserRequest.newBuilder().setUserId(ada.getId()).build())).isEqualTo(ada);
    assertThatThrownBy(() -> users.createUser(CreateUserRequest.newBuilder()
        .setEmail("ada@example.com").setName("Again").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));

    // BulkCreateUsers
    RecordingObserver<BulkCreateResponse> bulkResult = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> bulk = UserServiceGrpc.newStub(channel)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).withDeadlineAfter(20, TimeUnit.SECONDS).bulkCreateUsers(bulkResult);
    for (int i = 0; i < 1200; i++) {
      bulk.onNext(CreateUserRequest.newBuilder().setEmail("bulk" + i + "@example.com").setName("Bulk " + i).build());
    }
    bulk.onNext(CreateUserRequest.newBuilder().setEmail("ada@example.com").setName("Dup").build());
    bulk.onCompleted();
    assertThat(bulkResult.awaitEnd().isOk()).isTrue();
    assertThat(bulkResult.values().get(0).getCreatedCount()).isEqualTo(1200);
    assertThat(bulkResult.values().get(0).getFailures(0).getIndex()).isEqualTo(1200);

    // ListUsers, whole and resumed
    List<String> all = new ArrayList<>();
    users.listUsers(ListUsersRequest.newBuilder().setPageSize(250).build()).forEachRemaining(u -> all.add(u.getId()));
    assertThat(all).hasSize(1201).isSorted().doesNotHaveDuplicates().startsWith(ada.getId());
    List<String> rest = new ArrayList<>();
    users.listUsers(ListUsersRequest.newBuilder().setPageToken(all.get(600)).build())
        .forEachRemaining(u -> rest.add(u.getId()));
    assertThat(rest).containsExactlyElementsOf(all.subList(601, 1201));

    // UserUpdates
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> updates = UserServiceGrpc.newStub(channel)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).withDeadlineAfter(20, TimeUnit.SECONDS).userUpdates(answers);
    updates.onNext(UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("Countess of Lovelace").build());
    updates.onNext(UserUpdateRequest.newBuilder().setUserId(ada.getId()).setStatus(UserStatus.USER_STATUS_INACTIVE)
        .setUpdateMask(FieldMask.newBuilder().addPaths("status")).build());
    updates.onCompleted();
    assertThat(answers.awaitEnd().isOk()).isTrue();
    assertThat(answers.values()).extracting(User::getName).containsExactly("Countess of Lovelace",
        "Countess of Lovelace");
    assertThat(answers.values().get(1).getStatus()).isEqualTo(UserStatus.USER_STATUS_INACTIVE);
    assertThat(users.getUser(GetUserRequest.newBuilder().setUserId(ada.getId()).build()))
        .isEqualTo(answers.values().get(1));
  }
}
