package dev.userservice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to the packaged jar on PostgreSQL while clients create users, watch health and hold
 * streams open: the shutdown stages as a client and the database see them.
 */
class ShutdownUnderLoadIT {
  private static final int DRAIN_DELAY_MS = 1500;
  private static final int GRACE_MS = 2000;
  private static final int LOAD_THREADS = 4;
  private static final int MAX_CALLS_PER_THREAD = 2000;
  private static final Duration LOAD_TIME_LIMIT = Duration.ofSeconds(60);
  private static final int BULK_ITEMS = 600;

  @Test
  void sigterm_underLoad_callsEndOkOrUnavailableNoWriteLostStreamsCutWithUnavailableExitZero() throws Exception {
    String schema = TestDatabases.createPostgresSchema();
    ExecutorService clients = Executors.newFixedThreadPool(LOAD_THREADS + 1);
    ManagedChannel channel = null;
    try (ServiceProcess service = ServiceProcess.start(ServiceProcess.postgresEnvironment(schema, Map.of(
        "DRAIN_DELAY_MS", String.valueOf(DRAIN_DELAY_MS), "SHUTDOWN_GRACE_MS", String.valueOf(GRACE_MS))))) {
      // a channel of the test's own: the process's channel is closed before its SIGTERM
      channel = Grpc.newChannelBuilderForAddress("127.0.0.1", service.awaitListening(),
          InsecureChannelCredentials.create()).build();
      ManagedChannel ch = channel;
      await().atMost(Duration.ofSeconds(10)).until(() -> health(ch) == ServingStatus.SERVING);

      // streams that stay open past the grace period
      var admin = UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      User watched = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .createUser(CreateUserRequest.newBuilder().setEmail("watched@example.com").setName("Watched").build());
      RecordingObserver<User> updates = new RecordingObserver<>();
      StreamObserver<UserUpdateRequest> updateRequests = admin.userUpdates(updates);
      updateRequests.onNext(UserUpdateRequest.newBuilder().setUserId(watched.getId()).setName("Still here").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> updates.values().size() == 1);
      RecordingObserver<BulkCreateResponse> bulk = new RecordingObserver<>();
      StreamObserver<CreateUserRequest> bulkRequests = admin.bulkCreateUsers(bulk);
      for (int i = 0; i < BULK_ITEMS; i++) {
        bulkRequests.onNext(CreateUserRequest.newBuilder().setEmail("cut-" + i + "@example.com").setName("Cut").build());
      }

      // load: unary CreateUser calls, every other one hashing a password
      Set<String> createdOk = ConcurrentHashMap.newKeySet();
      List<Status> failures = new CopyOnWriteArrayList<>();
      AtomicInteger okCount = new AtomicInteger();
      long loadDeadline = System.nanoTime() + LOAD_TIME_LIMIT.toNanos();
      for (int t = 0; t < LOAD_THREADS; t++) {
        int thread = t;
        clients.submit(() -> {
          var users = UserServiceGrpc.newBlockingStub(ch);
          for (int i = 0; i < MAX_CALLS_PER_THREAD && System.nanoTime() < loadDeadline; i++) {
            String email = "load-" + thread + "-" + i + "@example.com";
            CreateUserRequest.Builder request = CreateUserRequest.newBuilder().setEmail(email).setName("Load");
            if (i % 2 == 0) {
              request.setPassword("correct horse battery " + i);
            }
            try {
              users.withDeadlineAfter(20, TimeUnit.SECONDS).createUser(request.build());
              createdOk.add(email);
              okCount.incrementAndGet();
            } catch (StatusRuntimeException e) {
              failures.add(e.getStatus());
              return;
            }
          }
        });
      }
      // health as a load balancer polls it, from before the SIGTERM until the server is gone
      List<ServingStatus> healthSeen = new CopyOnWriteArrayList<>();
      List<Status> healthFailures = new CopyOnWriteArrayList<>();
      clients.submit(() -> {
        for (int i = 0; i < 400 && System.nanoTime() < loadDeadline; i++) {
          try {
            healthSeen.add(health(ch));
            Thread.sleep(50);
          } catch (StatusRuntimeException e) {
            healthFailures.add(e.getStatus());
            return;
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> okCount.get() >= 20);

      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
        try {
          return service.terminate();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });

      assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code; output:\n%s", service.output()).isZero();
      clients.shutdown();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).extracting(Status::getCode).containsOnly(Status.Code.UNAVAILABLE);
      assertThat(failures).hasSize(LOAD_THREADS);
      assertThat(healthSeen).startsWith(ServingStatus.SERVING).contains(ServingStatus.NOT_SERVING);
      assertThat(healthSeen.subList(healthSeen.indexOf(ServingStatus.NOT_SERVING), healthSeen.size()))
          .containsOnly(ServingStatus.NOT_SERVING);
      assertThat(healthFailures).extracting(Status::getCode).containsOnly(Status.Code.UNAVAILABLE);
      assertThat(updates.awaitEnd().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(bulk.awaitEnd().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

      Set<String> stored = storedEmails(schema);
      assertThat(stored).containsAll(createdOk);
      assertThat(stored).noneMatch(email -> email.startsWith("cut-"));
      assertThat(service.output()).contains("shutdown 1/4", "shutdown 2/4", "shutdown 3/4: grace period over",
          "shutdown 4/4");
    } finally {
      clients.shutdownNow();
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      TestDatabases.dropSchema(schema);
    }
  }

  private static ServingStatus health(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  private static Set<String> storedEmails(String schema) throws Exception {
    Set<String> emails = new HashSet<>();
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("select email from " + schema + ".users")) {
      while (rows.next()) {
        emails.add(rows.getString(1));
      }
    }
    return emails;
  }
}
