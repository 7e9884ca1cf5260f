package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The application owns its database worker and password hashing threads: closing it leaves none behind. */
class UserServiceAppThreadsTest {

  @Test
  void close_afterCallsOnDatabaseWorkersAndHashingThreads_noneLeft() {
    Config config = Config.load(new String[] {"--metrics-port=0", "--drain-delay-ms=0", "--shutdown-grace-ms=1000"},
        Map.of("JWT_SECRET", TestTokens.SECRET));
    String name = InProcessServerBuilder.generateName();
    UserServiceApp app = UserServiceApp.start(TestDatabases.h2(), InProcessServerBuilder.forName(name), config);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      // a create with a password hashes on the hashing threads; a lookup with a deadline runs on
      // the workers and arms their deadline timer
      var stub = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      User created = stub.createUser(CreateUserRequest.newBuilder().setEmail("threads@example.com")
          .setName("Threads").setPassword("correct horse battery").build());
      stub.getUser(GetUserRequest.newBuilder().setUserId(created.getId()).build());
      assertThat(workerThreads()).anyMatch(thread -> thread.startsWith("password-hash-"))
          .anyMatch(thread -> thread.startsWith("db-worker-"));
    } finally {
      channel.shutdownNow();
      app.close();
    }

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workerThreads()).isEmpty());
  }

  private static List<String> workerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("db-worker-") || name.startsWith("db-deadline-")
            || name.startsWith("password-hash-"))
        .toList();
  }
}
