package dev.userservice.observability;

import static dev.userservice.testing.Calls.catchStatus;
import static dev.userservice.testing.Scrape.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.Promtool;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Scrape;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint, scraped over HTTP after real calls on the Netty transport. */
class MetricsTest {
  private static final String CREATE = "grpc_method=\"user.v1.UserService/CreateUser\"";
  private static final String GET = "grpc_method=\"user.v1.UserService/GetUser\"";
  private static final String UPDATES = "grpc_method=\"user.v1.UserService/UserUpdates\"";

  @Test
  void scrape_afterCalls_hasA66CallMetricsPoolJvmAndServiceCounters_andPromtoolAcceptsIt() throws Exception {
    int metricsPort = NettyService.freePort();
    try (NettyService service = NettyService.start("--metrics-port=" + metricsPort, "--login-max-failures=2")) {
      ManagedChannel channel = service.channel();
      var users = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      User first = users.createUser(CreateUserRequest.newBuilder().setEmail("m0@example.com").setName("M0")
          .setPassword("correct horse battery").build());
      for (int i = 1; i < 3; i++) {
        users.createUser(CreateUserRequest.newBuilder().setEmail("m" + i + "@example.com").setName("M" + i).build());
      }
      var authorized = users.withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      Status notFound = catchStatus(() -> authorized.getUser(
          GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build())).getStatus();
      assertThat(notFound.getCode()).isEqualTo(Status.Code.NOT_FOUND);
      Status refused = catchStatus(() -> users.getUser(
          GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build())).getStatus();
      assertThat(refused.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      var listed = authorized.listUsers(ListUsersRequest.getDefaultInstance());
      int count = 0;
      while (listed.hasNext()) {
        listed.next();
        count++;
      }
      assertThat(count).isEqualTo(3);
      // two wrong passwords spend the attempts; the third login is refused before any check
      var auth = AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      LoginRequest wrong = LoginRequest.newBuilder().setEmail("m0@example.com").setPassword("wrong password").build();
      for (int i = 0; i < 2; i++) {
        assertThat(catchStatus(() -> auth.login(wrong)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      }
      assertThat(catchStatus(() -> auth.login(wrong)).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      bulkCreate(service, 4);
      // a live-update stream stays open while the scrape happens
      RecordingObserver<User> updates = new RecordingObserver<>();
      var stream = (ClientCallStreamObserver<UserUpdateRequest>) UserServiceGrpc.newStub(channel)
          .withCallCredentials(TestTokens.bearer(TestTokens.admin())).userUpdates(updates);
      stream.onNext(UserUpdateRequest.newBuilder().setUserId(first.getId()).build());
      await().atMost(Duration.ofSeconds(20)).until(() -> updates.values().size() == 1);

      String body = Scrape.metrics(metricsPort);

      assertThat(value(body, "grpc_server_call_duration_seconds_count", CREATE, "grpc_status=\"OK\"")).isEqualTo(3);
      assertThat(value(body, "grpc_server_call_duration_seconds_count", GET, "grpc_status=\"NOT_FOUND\"")).isEqualTo(1);
      assertThat(value(body, "grpc_server_call_duration_seconds_count", GET, "grpc_status=\"UNAUTHENTICATED\""))
          .isEqualTo(1);
      // buckets from 100 microseconds: sub-millisecond calls are told apart
      assertThat(value(body, "grpc_server_call_duration_seconds_bucket", CREATE, "le=\"1.0E-4\"")).isBetween(0.0, 3.0);
      assertThat(value(body, "grpc_server_call_duration_seconds_bucket", CREATE, "le=\"+Inf\"")).isEqualTo(3);
      assertThat(value(body, "grpc_server_call_started_total", CREATE)).isEqualTo(3);
      assertThat(value(body, "grpc_server_call_rcvd_total_compressed_message_size_bytes_count", CREATE))
          .isEqualTo(3);
      assertThat(value(body, "grpc_server_call_sent_total_compressed_message_size_bytes_sum",
          "grpc_method=\"user.v1.UserService/ListUsers\"")).isPositive();
      // calls in flight: started and not yet finished
      double updatesFinished = body.contains("grpc_server_call_duration_seconds_count{" + UPDATES)
          ? value(body, "grpc_server_call_duration_seconds_count", UPDATES) : 0;
      assertThat(value(body, "grpc_server_call_started_total", UPDATES) - updatesFinished).isEqualTo(1);
      assertThat(value(body, "user_service_updates_subscriptions")).isEqualTo(1);
      assertThat(value(body, "user_service_login_failures_total")).isEqualTo(2);
      assertThat(value(body, "user_service_login_lockouts_total")).isEqualTo(1);
      assertThat(value(body, "user_service_bulk_rows_written_total")).isEqualTo(4);
      assertThat(value(body, "user_service_database_up")).isEqualTo(1);
      assertThat(value(body, "db_client_connections_usage", "pool_name=\"user-db\"", "state=\"idle\""))
          .isGreaterThanOrEqualTo(0);
      assertThat(value(body, "db_client_connections_usage", "pool_name=\"user-db\"", "state=\"used\""))
          .isGreaterThanOrEqualTo(0);
      assertThat(value(body, "db_client_connections_max", "pool_name=\"user-db\"")).isPositive();
      assertThat(value(body, "db_client_connections_pending_requests", "pool_name=\"user-db\"")).isZero();
      assertThat(value(body, "db_client_connections_wait_time_seconds_count", "pool_name=\"user-db\"")).isPositive();
      // seconds on bounds in seconds: the waits for a free pool, well under a millisecond, are told apart
      assertThat(value(body, "db_client_connections_wait_time_seconds_bucket", "pool_name=\"user-db\"", "le=\"1.0E-4\""))
          .isNotNegative();
      assertThat(Scrape.sum(body, "db_client_connections_use_time_seconds_bucket", "le=\"10000.0\"")).isZero();
      // one series per pool: a survivor space may be empty, the heap is not
      assertThat(Scrape.sum(body, "jvm_memory_used_bytes", "jvm_memory_type=\"heap\"")).isPositive();
      assertThat(value(body, "jvm_threads")).isPositive();
      assertThat(value(body, "jvm_cpu_time_seconds_total")).isPositive();
      Promtool.assertChecksClean(body);

      stream.cancel("done", null);
      await().atMost(Duration.ofSeconds(20)).until(
          () -> value(Scrape.metrics(metricsPort), "user_service_updates_subscriptions") == 0);
    }
  }

  @Test
  void promtool_gaugeEndingInCount_isRejected() throws Exception {
    // the check the scrape above passes is one that fails on what it should
    String exposition = "# HELP jvm_thread_count Threads.\n# TYPE jvm_thread_count gauge\njvm_thread_count 5\n";

    AssertionError failure = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> Promtool.assertChecksClean(exposition));

    assertThat(failure).hasMessageContaining("_count");
  }

  private static void bulkCreate(NettyService service, int users) throws Exception {
    RecordingObserver<dev.userservice.api.user.v1.BulkCreateResponse> response = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = UserServiceGrpc.newStub(service.channel())
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).withDeadlineAfter(20, TimeUnit.SECONDS)
        .bulkCreateUsers(response);
    for (int i = 0; i < users; i++) {
      requests.onNext(CreateUserRequest.newBuilder().setEmail("bulk" + i + "@example.com").setName("B" + i).build());
    }
    requests.onCompleted();
    assertThat(response.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
    assertThat(response.values().get(0).getCreatedCount()).isEqualTo(users);
  }
}
