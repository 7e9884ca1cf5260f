package dev.userservice.bench;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The load of each RPC, on async stubs, with the data it needs created first. */
final class BenchOperations {
  private final UserServiceGrpc.UserServiceStub stub;
  private final HealthGrpc.HealthStub health;
  private final BenchOptions options;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong sequence = new AtomicLong();
  private final ScheduledExecutorService scheduler;

  /**
   * @param scheduler paces readers that take messages at a set interval
   */
  BenchOperations(Channel channel, CallCredentials credentials, BenchOptions options,
      ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
    this.stub = UserServiceGrpc.newStub(channel).withCallCredentials(credentials);
    this.health = HealthGrpc.newStub(channel);
    this.options = options;
  }

  /** The operation for the configured RPC, after creating what it reads. */
  BenchOperation prepare() throws Exception {
    return switch (options.rpc()) {
      case "get" -> get(options.idsFile().isPresent() ? readIds(options.idsFile().get()) : createUsers(options.users()));
      case "create" -> create(false);
      case "create-password" -> create(true);
      case "list" -> {
        createUsers(options.users());
        yield list();
      }
      case "bulk" -> bulk();
      case "updates" -> updates();
      case "health" -> health();
      default -> throw new IllegalArgumentException("rpc: " + options.rpc());
    };
  }

  /**
   * One request of the configured RPC (get: the first of {@code --users} new users; create: a
   * new user without a password; health), made once through the stub, with the size of its answer.
   */
  RequestFrame sample() throws Exception {
    return switch (options.rpc()) {
      case "get" -> {
        GetUserRequest request = GetUserRequest.newBuilder().setUserId(createUsers(options.users()).get(0)).build();
        var answer = new CompletableFuture<User>();
        stub.getUser(request, completing(answer));
        yield RequestFrame.of("/" + UserServiceGrpc.getGetUserMethod().getFullMethodName(), request,
            answer.get(1, TimeUnit.MINUTES));
      }
      case "create" -> {
        CreateUserRequest request = newUser(false);
        var answer = new CompletableFuture<User>();
        stub.createUser(request, completing(answer));
        yield RequestFrame.of("/" + UserServiceGrpc.getCreateUserMethod().getFullMethodName(), request,
            answer.get(1, TimeUnit.MINUTES));
      }
      case "health" -> {
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService("").build();
        var answer = new CompletableFuture<HealthCheckResponse>();
        health.check(request, completing(answer));
        yield RequestFrame.of("/" + HealthGrpc.getCheckMethod().getFullMethodName(), request,
            answer.get(1, TimeUnit.MINUTES));
      }
      default -> throw new IllegalArgumentException("--frame-out: get, create or health (not " + options.rpc() + ")");
    };
  }

  private CreateUserRequest newUser(boolean withPassword) {
    long n = sequence.incrementAndGet();
    CreateUserRequest.Builder request = CreateUserRequest.newBuilder()
        .setEmail("bench-" + runId + "-" + n + "@example.com")
        .setName("Bench User " + n);
    if (withPassword) {
      request.setPassword("bench-password-" + n);
    }
    return request.build();
  }

  /** Creates users through BulkCreateUsers in streams of 10,000 and returns their ids. */
  List<String> createUsers(int count) throws Exception {
    List<String> ids = new ArrayList<>(count);
    while (ids.size() < count) {
      int size = Math.min(10_000, count - ids.size());
      var done = new CompletableFuture<BulkCreateResponse>();
      StreamObserver<CreateUserRequest> requests = stub.withDeadlineAfter(5, TimeUnit.MINUTES)
          .bulkCreateUsers(completing(done));
      for (int i = 0; i < size; i++) {
        requests.onNext(newUser(false));
      }
      requests.onCompleted();
      ids.addAll(done.get(5, TimeUnit.MINUTES).getUserIdsList());
    }
    return ids;
  }

  /** The user ids in {@code file}, one a line; blank lines are skipped. */
  private static List<String> readIds(Path file) throws IOException {
    List<String> ids = Files.readAllLines(file).stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("--ids-file: no user id in " + file);
    }
    return ids;
  }

  private BenchOperation get(List<String> ids) {
    return outcome -> {
      String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
      stub.getUser(GetUserRequest.newBuilder().setUserId(id).build(), counting(outcome));
    };
  }

  private BenchOperation create(boolean withPassword) {
    return outcome -> stub.createUser(newUser(withPassword), counting(outcome));
  }

  private BenchOperation list() {
    ListUsersRequest request = ListUsersRequest.newBuilder().setPageSize(options.pageSize()).build();
    if (options.readInterval().isZero()) {
      return outcome -> stub.listUsers(request, counting(outcome));
    }
    return outcome -> stub.listUsers(request, slowReader(outcome));
  }

  /** A reader that takes one message per {@code --read-interval-ms}, asking for each through flow control. */
  private <T> ClientResponseObserver<ListUsersRequest, T> slowReader(BenchOperation.Outcome outcome) {
    StreamObserver<T> counter = counting(outcome);
    return new ClientResponseObserver<>() {
      private ScheduledFuture<?> reading;

      @Override
      public void beforeStart(ClientCallStreamObserver<ListUsersRequest> call) {
        call.disableAutoRequestWithInitial(1);
        long interval = options.readInterval().toNanos();
        reading = scheduler.scheduleAtFixedRate(() -> call.request(1), interval, interval, TimeUnit.NANOSECONDS);
      }

      @Override
      public void onNext(T value) {
        counter.onNext(value);
      }

      @Override
      public void onError(Throwable t) {
        reading.cancel(false);
        counter.onError(t);
      }

      @Override
      public void onCompleted() {
        reading.cancel(false);
        counter.onCompleted();
      }
    };
  }

  /**
   * Health checks: every interceptor but no database and no token check, so the rate is what
   * gRPC and the interceptors alone allow on this machine.
   */
  private BenchOperation health() {
    HealthCheckRequest request = HealthCheckRequest.newBuilder().setService("").build();
    return outcome -> health.check(request, counting(outcome));
  }

  /** One BulkCreateUsers stream of {@code batch} users, sent as fast as the transport takes them. */
  private BenchOperation bulk() {
    return outcome -> stub.bulkCreateUsers(new ClientResponseObserver<CreateUserRequest, BulkCreateResponse>() {
      private int sent;

      @Override
      public void beforeStart(ClientCallStreamObserver<CreateUserRequest> requests) {
        requests.setOnReadyHandler(() -> {
          while (requests.isReady() && sent < options.batch()) {
            requests.onNext(newUser(false));
            sent++;
          }
          if (sent == options.batch()) {
            sent++;
            requests.onCompleted();
          }
        });
      }

      @Override
      public void onNext(BulkCreateResponse response) {
        outcome.moved(response.getCreatedCount());
        outcome.succeeded();
      }

      @Override
      public void onError(Throwable t) {
        outcome.failed(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {}
    });
  }

  /** One UserUpdates stream renaming its own new user {@code batch} times, each after the last answer. */
  private BenchOperation updates() throws Exception {
    List<String> ids = createUsers(options.concurrency());
    AtomicLong next = new AtomicLong();
    return outcome -> {
      String id = ids.get((int) (next.getAndIncrement() % ids.size()));
      var answers = new StreamObserver<User>() {
        private StreamObserver<UserUpdateRequest> requests;
        private int received;

        @Override
        public void onNext(User user) {
          received++;
          outcome.moved(1);
          if (received < options.batch()) {
            requests.onNext(rename(id, received));
          } else {
            requests.onCompleted();
          }
        }

        @Override
        public void onError(Throwable t) {
          outcome.failed(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
          outcome.succeeded();
        }
      };
      answers.requests = stub.userUpdates(answers);
      answers.requests.onNext(rename(id, 0));
    };
  }

  private static UserUpdateRequest rename(String id, int n) {
    return UserUpdateRequest.newBuilder().setUserId(id).setName("Renamed " + n).build();
  }

  private static <T> StreamObserver<T> counting(BenchOperation.Outcome outcome) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        outcome.moved(1);
      }

      @Override
      public void onError(Throwable t) {
        outcome.failed(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        outcome.succeeded();
      }
    };
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
