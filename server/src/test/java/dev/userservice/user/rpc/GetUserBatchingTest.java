package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.db.Database;
import dev.userservice.identity.AuthInterceptor;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.server.DatabaseWorkerThreads;
import dev.userservice.server.ExceptionInterceptor;
import dev.userservice.server.UserServer;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.NewUser;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserRepository;
import dev.userservice.user.jdbc.JdbcUserRepository;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GetUser through the service runs one lookup query at a time: the calls that arrive while it
 * runs wait and are answered together by the next one.
 */
class GetUserBatchingTest {
  private final DatabaseWorkerThreads workerThreads = DatabaseWorkerThreads.start(0);
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Set<UUID>> queries = new CopyOnWriteArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  @AfterEach
  void stop() {
    released.countDown();
    workerThreads.close();
  }

  @Test
  void getUser_callsArrivingWhileALookupRuns_shareTheNextQuery() throws Exception {
    try (Database database = Database.open(TestDatabases.h2())) {
      var stored = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        UUID id = UserIds.next();
        stored.create(id, new NewUser("batched" + i + "@example.com", "Batched", Optional.empty(), Optional.empty()));
        ids.add(id);
      }
      String name = InProcessServerBuilder.generateName();
      UserServer server = new UserServer(InProcessServerBuilder.forName(name),
          List.of(new UserServiceImpl(heldFirstLookup(stored), new PasswordHasher(1), workerThreads.workers())),
          List.of(new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE)), () -> true,
          Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)).start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      try {
        var stub = UserServiceGrpc.newFutureStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        List<ListenableFuture<User>> answers = new ArrayList<>();
        answers.add(stub.getUser(GetUserRequest.newBuilder().setUserId(ids.get(0).toString()).build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> queries.size() == 1);
        for (UUID id : ids.subList(1, 4)) {
          answers.add(stub.getUser(GetUserRequest.newBuilder().setUserId(id.toString()).build()));
        }
        Thread.sleep(300); // room for a service that would start a second query
        assertThat(queries).hasSize(1);

        released.countDown();
        List<String> answered = new ArrayList<>();
        for (var answer : answers) {
          answered.add(answer.get(10, TimeUnit.SECONDS).getId());
        }

        assertThat(answered).containsExactlyElementsOf(ids.stream().map(UUID::toString).toList());
        assertThat(queries).containsExactly(Set.of(ids.get(0)), Set.copyOf(ids.subList(1, 4)));
        assertThat(mostAtOnce).hasValue(1);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
      }
    }
  }

  /**
   * {@code stored}, whose lookups by id are recorded, counted while they run, and the first held
   * until the test releases it.
   */
  private UserRepository heldFirstLookup(UserRepository stored) {
    return (UserRepository) Proxy.newProxyInstance(UserRepository.class.getClassLoader(),
        new Class<?>[] {UserRepository.class}, (proxy, method, args) -> {
          boolean lookup = method.getName().equals("findByIds") || method.getName().equals("findById");
          if (lookup) {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            @SuppressWarnings("unchecked")
            Set<UUID> ids = args[0] instanceof Set<?> set ? (Set<UUID>) set : Set.of((UUID) args[0]);
            queries.add(Set.copyOf(ids));
            if (queries.size() == 1) {
              released.await(10, TimeUnit.SECONDS);
            }
          }
          try {
            return method.invoke(stored, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            if (lookup) {
              running.decrementAndGet();
            }
          }
        });
  }
}
