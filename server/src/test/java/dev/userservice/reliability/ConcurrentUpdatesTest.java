package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many streams updating one user at once, on PostgreSQL: every write lands once, in one order. */
class ConcurrentUpdatesTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onPostgres();

  @Test
  void concurrentUpdatesWithoutEtag_allApplyAndTheFinalStateIsTheLastCommitted() throws Exception {
    User user = service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("contended@example.com").setName("Start").build());
    int writers = 6;
    int updatesEach = 15;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<User> answers = new ArrayList<>();
    try {
      List<Callable<List<User>>> tasks = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        tasks.add(() -> {
          RecordingObserver<User> stream = new RecordingObserver<>();
          StreamObserver<UserUpdateRequest> requests = service.async().userUpdates(stream);
          for (int i = 0; i < updatesEach; i++) {
            requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId())
                .setName("writer " + writer + " update " + i).build());
          }
          requests.onCompleted();
          assertThat(stream.awaitEnd().isOk()).isTrue();
          return stream.values();
        });
      }
      for (Future<List<User>> result : pool.invokeAll(tasks)) {
        answers.addAll(result.get());
      }
    } finally {
      pool.shutdownNow();
    }

    // each stream also follows the user, so it may see others' changes: count its own answers
    List<User> own = answers.stream().filter(u -> u.getName().startsWith("writer ")).toList();
    List<String> etags = own.stream().map(User::getEtag).distinct().toList();
    assertThat(etags).hasSize(writers * updatesEach);
    User last = service.blocking().getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
    assertThat(last.getEtag()).isEqualTo("\"" + (1 + writers * updatesEach) + "\"");
    assertThat(own).contains(last);
  }
}
