package dev.userservice.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Rows;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a valid token allows: its own user, or every user with the admin role. */
class PermissionTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private User alice;
  private User bob;

  @BeforeEach
  void createUsers() {
    alice = service.blocking().createUser(CreateUserRequest.newBuilder().setEmail("alice@example.com").setName("Alice").build());
    bob = service.blocking().createUser(CreateUserRequest.newBuilder().setEmail("bob@example.com").setName("Bob").build());
  }

  private RecordingObserver<User> rename(String token, User user, String name) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = service.async(token).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).setName(name).build());
    requests.onCompleted();
    answers.awaitEnd();
    return answers;
  }

  @Test
  void userUpdates_ownUser_allowed() throws Exception {
    RecordingObserver<User> answers = rename(TestTokens.user(alice.getId()), alice, "Alice B.");

    assertThat(answers.awaitEnd().isOk()).isTrue();
    assertThat(answers.values().get(0).getName()).isEqualTo("Alice B.");
  }

  @Test
  void userUpdates_anotherUserWithoutAdmin_permissionDeniedAndUnchanged() throws Exception {
    RecordingObserver<User> answers = rename(TestTokens.user(alice.getId()), bob, "Hacked");

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(answers.values()).isEmpty();
    assertThat(service.blocking().getUser(dev.userservice.api.user.v1.GetUserRequest.newBuilder()
        .setUserId(bob.getId()).build()).getName()).isEqualTo("Bob");
  }

  @Test
  void userUpdates_anotherUserAsAdmin_allowed() throws Exception {
    RecordingObserver<User> answers = rename(TestTokens.admin(), bob, "Robert");

    assertThat(answers.values().get(0).getName()).isEqualTo("Robert");
  }

  @Test
  void bulkCreate_withoutAdmin_permissionDeniedAndNothingStored() throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service.async(TestTokens.user(alice.getId())).bulkCreateUsers(result);
    requests.onNext(CreateUserRequest.newBuilder().setEmail("sneaky@example.com").setName("Sneaky").build());
    requests.onCompleted();

    assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(Rows.countUsers(service.settings())).isEqualTo(2);
  }
}
