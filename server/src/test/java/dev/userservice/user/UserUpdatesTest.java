package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import com.google.rpc.ErrorInfo;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UserUpdatesTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private User ada;

  @BeforeEach
  void createUser() {
    ada = service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("ada@example.com").setName("Ada").build());
  }

  private record Outcome(List<User> answers, Status status, Throwable error) {}

  private Outcome send(UserUpdateRequest... updates) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = service.async().userUpdates(answers);
    for (UserUpdateRequest update : updates) {
      requests.onNext(update);
    }
    requests.onCompleted();
    Status status = answers.awaitEnd();
    return new Outcome(answers.values(), status, answers.error());
  }

  private User stored() {
    return service.blocking().getUser(GetUserRequest.newBuilder().setUserId(ada.getId()).build());
  }

  @Test
  void userUpdates_originalContractIdAndName_renamesTheUser() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("Countess").build());

    assertThat(outcome.status().isOk()).isTrue();
    User renamed = outcome.answers().get(0);
    assertThat(renamed.getName()).isEqualTo("Countess");
    assertThat(renamed.getEmail()).isEqualTo("ada@example.com");
    assertThat(renamed.getEtag()).isNotEqualTo(ada.getEtag());
    assertThat(stored()).isEqualTo(renamed);
  }

  @Test
  void userUpdates_maskNamesOnlyStatus_otherSetFieldsIgnored() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId())
        .setName("Ignored").setStatus(UserStatus.USER_STATUS_INACTIVE)
        .setUpdateMask(FieldMask.newBuilder().addPaths("status")).build());

    assertThat(outcome.answers().get(0).getStatus()).isEqualTo(UserStatus.USER_STATUS_INACTIVE);
    assertThat(outcome.answers().get(0).getName()).isEqualTo("Ada");
  }

  @Test
  void userUpdates_severalRequests_answeredInOrder() throws Exception {
    Outcome outcome = send(
        UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("One").build(),
        UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("Two").build(),
        UserUpdateRequest.newBuilder().setUserId(ada.getId()).setEmail("Three@Example.com").build());

    assertThat(outcome.status().isOk()).isTrue();
    assertThat(outcome.answers()).extracting(User::getName).containsExactly("One", "Two", "Two");
    assertThat(outcome.answers().get(2).getEmail()).isEqualTo("three@example.com");
    assertThat(outcome.answers()).extracting(User::getEtag).doesNotHaveDuplicates();
  }

  @Test
  void userUpdates_onlyUserId_changesNothingAndAnswersCurrentState() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId()).build());

    assertThat(outcome.answers()).containsExactly(ada);
    assertThat(stored()).isEqualTo(ada);
  }

  @Test
  void userUpdates_matchingEtag_applies() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("Checked")
        .setEtag(ada.getEtag()).build());

    assertThat(outcome.answers().get(0).getName()).isEqualTo("Checked");
  }

  @Test
  void userUpdates_staleEtag_abortedWithCurrentEtagAndNothingChanged() throws Exception {
    Outcome outcome = send(
        UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("First").setEtag(ada.getEtag()).build(),
        UserUpdateRequest.newBuilder().setUserId(ada.getId()).setName("Stale").setEtag(ada.getEtag()).build());

    assertThat(outcome.answers()).hasSize(1);
    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.ABORTED);
    User current = stored();
    assertThat(current.getName()).isEqualTo("First");
    ErrorInfo info = StatusProto.fromThrowable(outcome.error()).getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("ETAG_MISMATCH");
    assertThat(info.getMetadataMap()).containsEntry("current_etag", current.getEtag());
  }

  @Test
  void userUpdates_unknownUser_notFound() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder()
        .setUserId("01890000-0000-7000-8000-000000000000").setName("Nobody").build());

    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void userUpdates_statusNumberTheContractDoesNotDefine_invalidArgumentNamingTheNumber() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId())
        .setUpdateMask(FieldMask.newBuilder().addPaths("status")).setStatusValue(7).build());

    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(outcome.status().getDescription()).contains("status: is 7 (expected: USER_STATUS_ACTIVE or")
        .doesNotContain("UNRECOGNIZED");
    assertThat(stored()).isEqualTo(ada);
  }

  @Test
  void userUpdates_invalidFields_invalidArgumentListingEach() throws Exception {
    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId())
        .setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths("email").addPaths("id").addPaths("status"))
        .setName("").setEmail("nope").build());

    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(outcome.status().getDescription()).contains("update_mask").contains("name").contains("email")
        .contains("status");
    assertThat(stored()).isEqualTo(ada);
  }

  @Test
  void userUpdates_emailOfAnotherUser_alreadyExists() throws Exception {
    service.blocking().createUser(CreateUserRequest.newBuilder().setEmail("grace@example.com").setName("G").build());

    Outcome outcome = send(UserUpdateRequest.newBuilder().setUserId(ada.getId()).setEmail("grace@example.com").build());

    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(stored()).isEqualTo(ada);
  }
}
