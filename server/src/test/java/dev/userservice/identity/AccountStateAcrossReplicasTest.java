package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas on one PostgreSQL schema: an admin's change of an account on one is enforced on
 * the other within a second, although the other had the account's earlier state cached.
 */
class AccountStateAcrossReplicasTest {
  private static final Duration BOUND = Duration.ofSeconds(1);

  @RegisterExtension
  final InProcessService first = InProcessService.onPostgres();
  @RegisterExtension
  final InProcessService second = InProcessService.replicaOf(first);

  private User alice;
  private String aliceToken;

  @BeforeEach
  void createUserAndWarmBothReplicas() throws Exception {
    alice = first.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("alice@example.com").setName("Alice").build());
    aliceToken = TestTokens.user(alice.getId());
    // a role granted on the first replica reaches the second: its feed is up (and the state cached there)
    updateOnFirst(roles("service"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(() -> list(second)) == Status.Code.OK);
  }

  private UserUpdateRequest roles(String... roles) {
    return UserUpdateRequest.newBuilder().setUserId(alice.getId()).addAllRoles(List.of(roles))
        .setUpdateMask(FieldMask.newBuilder().addPaths("roles")).build();
  }

  private void updateOnFirst(UserUpdateRequest request) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = first.async(TestTokens.admin()).userUpdates(answers);
    requests.onNext(request);
    requests.onCompleted();
    assertThat(answers.awaitEnd().isOk()).as("update %s", answers.error()).isTrue();
  }

  private Object list(InProcessService replica) {
    return replica.blocking(aliceToken).listUsers(ListUsersRequest.getDefaultInstance()).next();
  }

  private Object get(InProcessService replica) {
    return replica.blocking(aliceToken).getUser(GetUserRequest.newBuilder().setUserId(alice.getId()).build());
  }

  private static Status.Code status(Supplier<Object> call) {
    try {
      call.get();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** Polls the call until it ends with {@code expected} and returns how long that took. */
  private static Duration timeUntil(Supplier<Object> call, Status.Code expected) throws InterruptedException {
    long start = System.nanoTime();
    while (status(call) != expected) {
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time until %s", expected)
          .isLessThan(Duration.ofSeconds(5));
      Thread.sleep(5);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void deactivatedOnOneReplica_refusedOnTheOtherWithinOneSecond() throws Exception {
    assertThat(status(() -> get(second))).isEqualTo(Status.Code.OK);

    updateOnFirst(UserUpdateRequest.newBuilder().setUserId(alice.getId())
        .setStatus(UserStatus.USER_STATUS_INACTIVE).build());
    Duration took = timeUntil(() -> get(second), Status.Code.UNAUTHENTICATED);

    System.out.printf("deactivation enforced on the other replica after %d ms%n", took.toMillis());
    assertThat(took).isLessThan(BOUND);
    assertThat(status(() -> get(first))).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void roleRemovedOnOneReplica_refusedOnTheOtherWithinOneSecond() throws Exception {
    assertThat(status(() -> list(second))).isEqualTo(Status.Code.OK);

    updateOnFirst(roles());
    Duration took = timeUntil(() -> list(second), Status.Code.PERMISSION_DENIED);

    System.out.printf("role removal enforced on the other replica after %d ms%n", took.toMillis());
    assertThat(took).isLessThan(BOUND);
  }
}
