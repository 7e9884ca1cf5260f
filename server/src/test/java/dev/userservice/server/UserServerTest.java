package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.identity.AuthInterceptor;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.observability.CallLoggingInterceptor;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserRepository;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.TestMethodDescriptors;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The server around the handlers: health, reflection, unknown methods, errors and call logs. */
class UserServerTest {
  private final DatabaseWorkerThreads workerThreads = DatabaseWorkerThreads.start(0);

  @AfterEach
  void closeWorkerThreads() {
    workerThreads.close();
  }

  private final AtomicBoolean databaseUp = new AtomicBoolean(true);
  private UserServer server;
  private ManagedChannel channel;

  private ManagedChannel start(UserRepository repository) {
    String name = InProcessServerBuilder.generateName();
    server = new UserServer(InProcessServerBuilder.forName(name),
        List.of(new UserServiceImpl(repository, new PasswordHasher(1), workerThreads.workers())),
        List.of(new CallLoggingInterceptor(), new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE)),
        databaseUp::get, Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(1)).start();
    channel = InProcessChannelBuilder.forName(name).build();
    return channel;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private ServingStatus health(String service) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  @Test
  void health_followsTheDatabaseWithoutRestart() {
    start(new FailingRepository(new IllegalStateException("unused")));
    assertThat(health("")).isEqualTo(ServingStatus.SERVING);
    assertThat(health("user.v1.UserService")).isEqualTo(ServingStatus.SERVING);

    databaseUp.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> health("") == ServingStatus.NOT_SERVING);
    assertThat(health("user.v1.UserService")).isEqualTo(ServingStatus.NOT_SERVING);

    databaseUp.set(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> health("") == ServingStatus.SERVING);
    assertThat(health("user.v1.UserService")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void health_livenessName_servingWhileTheDatabaseIsDown() {
    start(new FailingRepository(new IllegalStateException("unused")));
    databaseUp.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> health("") == ServingStatus.NOT_SERVING);

    assertThat(health(UserServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.SERVING);
    assertThat(health("user.v1.UserService")).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void health_afterClose_notServing() {
    start(new FailingRepository(new IllegalStateException("unused")));
    var watch = new CompletableFuture<ServingStatus>();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
        if (value.getStatus() == ServingStatus.NOT_SERVING) {
          watch.complete(value.getStatus());
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });

    server.close();

    assertThat(watch).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void reflection_listsUserServiceAndHealth() throws Exception {
    start(new FailingRepository(new IllegalStateException("unused")));
    var services = new CompletableFuture<List<String>>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .serverReflectionInfo(new StreamObserver<ServerReflectionResponse>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            services.complete(value.getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList());
          }

          @Override
          public void onError(Throwable t) {
            services.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    assertThat(services.get(5, TimeUnit.SECONDS))
        .contains("user.v1.UserService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");
  }

  @Test
  void unknownMethod_unimplemented() {
    start(new FailingRepository(new IllegalStateException("unused")));
    MethodDescriptor<Void, Void> unknown = TestMethodDescriptors.voidMethod().toBuilder()
        .setFullMethodName("user.v1.UserService/DeleteEverything").build();

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, unknown,
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), null))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void handlerBug_internalWithErrorIdAndNoInternals() {
    start(new FailingRepository(new IllegalStateException("SELECT password_hash FROM users -- secret")));

    assertThatThrownBy(() -> UserServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).getUser(
        GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("error id").doesNotContain("SELECT")
              .doesNotContain("IllegalStateException");
          assertThat(e.getTrailers().toString()).doesNotContain("SELECT");
        });
  }

  @Test
  void bugEscapingTheHandler_internalNotUnknown() throws Exception {
    start(new FailingRepository(new IllegalStateException("connection string jdbc:secret")));
    var ended = new CompletableFuture<Status>();
    UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin())).bulkCreateUsers(new StreamObserver<>() {
      @Override
      public void onNext(dev.userservice.api.user.v1.BulkCreateResponse value) {}

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    }).onCompleted();

    Status status = ended.get(5, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getDescription()).contains("error id").doesNotContain("jdbc");
  }

  @Test
  void callLog_oneLinePerCallWithMethodStatusAndNoPassword() {
    Logger calls = (Logger) LoggerFactory.getLogger("calls");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    calls.addAppender(appender);
    ch.qos.logback.classic.Level level = calls.getLevel();
    calls.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      start(new FailingRepository(new IllegalStateException("boom")));
      assertThatThrownBy(() -> UserServiceGrpc.newBlockingStub(channel).createUser(CreateUserRequest.newBuilder()
          .setEmail("log@example.com").setName("Log").setPassword("hunter2hunter2").build()));

      await().atMost(Duration.ofSeconds(5)).until(() -> !appender.list.isEmpty());
      assertThat(appender.list).hasSize(1);
      ILoggingEvent event = appender.list.get(0);
      String line = event.getFormattedMessage() + " " + event.getKeyValuePairs().stream()
          .map(kv -> kv.key + "=" + kv.value).collect(Collectors.joining(" "));
      assertThat(line).contains("method=user.v1.UserService/CreateUser").contains("status=INTERNAL")
          .contains("duration_ms=").doesNotContain("hunter2");
    } finally {
      calls.detachAppender(appender);
      calls.setLevel(level);
    }
  }

  /** A repository whose every call fails as a bug would, after a password was hashed. */
  private record FailingRepository(RuntimeException failure) implements UserRepository {
    @Override
    public Optional<User> findById(UUID id) {
      throw failure;
    }

    @Override
    public Optional<dev.userservice.user.Credentials> findCredentials(String email) {
      throw failure;
    }

    @Override
    public User create(UUID id, NewUser user) {
      throw failure;
    }

    @Override
    public List<User> listAfter(Optional<UUID> afterId, int limit) {
      throw failure;
    }

    @Override
    public User update(UUID id, UserChanges changes) {
      throw failure;
    }

    @Override
    public BulkInsert openBulkInsert() {
      throw failure;
    }
  }
}
