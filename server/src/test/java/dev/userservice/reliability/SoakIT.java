package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sustained mixed load on the real jar over PostgreSQL (its own database): no call fails, and
 * heap after GC, threads and database connections do not grow. Runs only with
 * {@code ./mvnw -B verify -Psoak -Dsoak.seconds=N}.
 */
@Tag("soak")
class SoakIT {
  private static final int CONCURRENCY = 8;
  private static final int POOL_SIZE = 8;
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  @Test
  void sustainedLoad_noErrorsAndNoGrowth() throws Exception {
    Duration total = Duration.ofSeconds(Long.getLong("soak.seconds", 60));
    Duration warmup = total.dividedBy(4);
    String database = TestDatabases.createDatabase("soak_");
    try (ServiceProcess service = ServiceProcess.start(Map.of(
        "DATABASE_URL", TestDatabases.databaseUrl(database),
        "DATABASE_USER", TestDatabases.postgresUser(),
        "DB_POOL_SIZE", Integer.toString(POOL_SIZE),
        "JWT_SECRET", TestTokens.SECRET))) {
      var users = UserServiceGrpc.newBlockingStub(service.channel())
          .withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      var async = UserServiceGrpc.newStub(service.channel()).withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < CONCURRENCY; i++) {
        ids.add(users.withDeadlineAfter(10, TimeUnit.SECONDS).createUser(CreateUserRequest.newBuilder()
            .setEmail("soak-seed-" + i + "@example.com").setName("Seed").build()).getId());
      }
      Map<Status.Code, AtomicLong> failures = new ConcurrentHashMap<>();
      AtomicLong calls = new AtomicLong();
      long end = System.nanoTime() + total.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < CONCURRENCY; w++) {
        int worker = w;
        workers.add(pool.submit(() -> {
          long n = 0;
          while (System.nanoTime() < end) {
            try {
              step(users, async, ids.get(worker), worker, n++);
              calls.incrementAndGet();
            } catch (StatusRuntimeException e) {
              failures.computeIfAbsent(e.getStatus().getCode(), c -> new AtomicLong()).incrementAndGet();
            } catch (Exception e) {
              failures.computeIfAbsent(Status.Code.UNKNOWN, c -> new AtomicLong()).incrementAndGet();
            }
          }
          return null;
        }));
      }
      Thread.sleep(warmup.toMillis());
      Sample first = sample(service, database);
      for (Future<?> worker : workers) {
        worker.get(total.toSeconds() + 60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      Sample last = sample(service, database);

      System.out.printf("soak: %d calls in %d s; heap after GC %d -> %d KiB; threads %d -> %d; connections %d -> %d%n",
          calls.get(), total.toSeconds(), first.heapKib, last.heapKib, first.threads, last.threads,
          first.connections, last.connections);
      assertThat(failures).isEmpty();
      assertThat(calls.get()).isPositive();
      assertThat(last.heapKib - first.heapKib).isLessThan(32 * 1024);
      assertThat(last.threads - first.threads).isLessThanOrEqualTo(4);
      assertThat(last.connections).isLessThanOrEqualTo(POOL_SIZE + 1).isLessThanOrEqualTo(first.connections + 1);
    } finally {
      TestDatabases.dropDatabase(database);
    }
  }

  /** One unit of the mix: create, get, a short list, and an update of the worker's own user. */
  private static void step(UserServiceGrpc.UserServiceBlockingStub users, UserServiceGrpc.UserServiceStub async,
      String ownId, int worker, long n) throws Exception {
    var deadline = users.withDeadlineAfter(10, TimeUnit.SECONDS);
    switch ((int) (n % 4)) {
      case 0 -> deadline.createUser(CreateUserRequest.newBuilder()
          .setEmail("soak-" + worker + "-" + n + "-" + ThreadLocalRandom.current().nextInt() + "@example.com")
          .setName("Soak " + n).build());
      case 1 -> deadline.getUser(GetUserRequest.newBuilder().setUserId(ownId).build());
      case 2 -> deadline.listUsers(ListUsersRequest.newBuilder().setPageSize(50).setPageToken(ownId).build())
          .forEachRemaining(u -> { });
      default -> {
        RecordingObserver<User> answers = new RecordingObserver<>();
        StreamObserver<UserUpdateRequest> requests = async.withDeadlineAfter(10, TimeUnit.SECONDS).userUpdates(answers);
        requests.onNext(UserUpdateRequest.newBuilder().setUserId(ownId).setName("Soak " + n).build());
        requests.onCompleted();
        Status status = answers.awaitEnd();
        if (!status.isOk()) {
          throw status.asRuntimeException();
        }
      }
    }
  }

  private record Sample(long heapKib, int threads, int connections) {}

  private static Sample sample(ServiceProcess service, String database) throws Exception {
    jcmd(service.pid(), "GC.run");
    Matcher heap = HEAP_USED.matcher(jcmd(service.pid(), "GC.heap_info"));
    long heapKib = heap.find() ? Long.parseLong(heap.group(1)) : -1;
    int threads = Files.readAllLines(Path.of("/proc/" + service.pid() + "/status")).stream()
        .filter(l -> l.startsWith("Threads:")).map(l -> Integer.parseInt(l.substring(8).trim())).findFirst().orElse(-1);
    int connections;
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select count(*) from pg_stat_activity where datname = ?")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        connections = rs.getInt(1);
      }
    }
    assertThat(heapKib).isPositive();
    assertThat(threads).isPositive();
    return new Sample(heapKib, threads, connections);
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
