package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Rows;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BulkCreateUsers streams that write each other's emails in opposite order, on both databases:
 * within a batch the order cannot make a lock cycle, and a cycle across batches ends a stream
 * with ABORTED, never INTERNAL and never a wait until the deadline.
 */
class ConcurrentBulkCreateTest {
  private static final int BATCH = UserServiceImpl.BULK_BATCH_SIZE;

  @RegisterExtension
  final InProcessService h2 = InProcessService.onH2();
  @RegisterExtension
  final InProcessService postgres = InProcessService.onPostgres();

  private InProcessService service(String database) {
    return database.equals("postgres") ? postgres : h2;
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void bulkCreate_sameEmailsInOppositeOrderInOneBatch_bothSucceedAndEachEmailStoredOnce(String database)
      throws Exception {
    InProcessService service = service(database);
    for (int round = 0; round < 3; round++) {
      List<String> emails = emails("r" + round, 300);
      List<String> reversed = new ArrayList<>(emails);
      Collections.reverse(reversed);
      RecordingObserver<BulkCreateResponse> first = new RecordingObserver<>();
      RecordingObserver<BulkCreateResponse> second = new RecordingObserver<>();
      StreamObserver<CreateUserRequest> a = service.async().withDeadlineAfter(20, TimeUnit.SECONDS).bulkCreateUsers(first);
      StreamObserver<CreateUserRequest> b = service.async().withDeadlineAfter(20, TimeUnit.SECONDS).bulkCreateUsers(second);
      for (int i = 0; i < emails.size(); i++) {
        a.onNext(user(emails.get(i)));
        b.onNext(user(reversed.get(i)));
      }
      a.onCompleted();
      b.onCompleted();

      assertThat(first.awaitEnd().getCode()).as("round %d: %s", round, first.error()).isEqualTo(Status.Code.OK);
      assertThat(second.awaitEnd().getCode()).as("round %d: %s", round, second.error()).isEqualTo(Status.Code.OK);
      assertThat(first.values().get(0).getCreatedCount() + second.values().get(0).getCreatedCount())
          .isEqualTo(emails.size());
    }
    assertThat(Rows.countUsers(service.settings())).isEqualTo(900);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void bulkCreate_lockCycleAcrossBatches_oneStreamAbortedTheOtherCommits(String database) throws Exception {
    InProcessService service = service(database);
    List<String> mine = emails("a", BATCH);
    List<String> theirs = emails("b", BATCH);
    RecordingObserver<BulkCreateResponse> first = new RecordingObserver<>();
    RecordingObserver<BulkCreateResponse> second = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> a = service.async().withDeadlineAfter(30, TimeUnit.SECONDS).bulkCreateUsers(first);
    StreamObserver<CreateUserRequest> b = service.async().withDeadlineAfter(30, TimeUnit.SECONDS).bulkCreateUsers(second);
    // each stream's first batch is written (and its rows locked) before the other's second
    mine.forEach(email -> a.onNext(user(email)));
    theirs.forEach(email -> b.onNext(user(email)));
    Thread.sleep(1000);
    theirs.forEach(email -> a.onNext(user(email)));
    mine.forEach(email -> b.onNext(user(email)));
    a.onCompleted();
    b.onCompleted();

    List<Status> ends = List.of(first.awaitEnd(), second.awaitEnd());

    assertThat(ends).extracting(Status::getCode).as("%s", ends)
        .isSubsetOf(Status.Code.OK, Status.Code.ABORTED).contains(Status.Code.ABORTED);
    if (database.equals("postgres")) {
      // PostgreSQL detects the deadlock and ends one of the two; H2 has only its lock timeout,
      // which may end both
      assertThat(ends).extracting(Status::getCode).containsExactlyInAnyOrder(Status.Code.OK, Status.Code.ABORTED);
    }
    Status aborted = ends.stream().filter(s -> !s.isOk()).findFirst().orElseThrow();
    assertThat(aborted.getDescription()).contains("concurrent").contains("nothing of the stream was stored");
    long committed = ends.stream().filter(Status::isOk).count();
    assertThat(Rows.countUsers(service.settings())).isEqualTo(2 * BATCH * committed);
  }

  private static List<String> emails(String prefix, int count) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> emails = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      emails.add(prefix + "-" + run + "-" + String.format("%04d", i) + "@example.com");
    }
    return emails;
  }

  private static CreateUserRequest user(String email) {
    return CreateUserRequest.newBuilder().setEmail(email).setName("Concurrent").build();
  }
}
