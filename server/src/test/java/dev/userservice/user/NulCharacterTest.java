package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.BulkCreateFailure;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A NUL character (which PostgreSQL refuses in text) in any request field that could reach SQL
 * is INVALID_ARGUMENT on both databases, never INTERNAL. (A password is only hashed; an etag is
 * only compared in the service, where a NUL makes it a stale etag.)
 */
class NulCharacterTest {
  private static final String NUL = "\u0000";

  @RegisterExtension
  final InProcessService h2 = InProcessService.onH2();
  @RegisterExtension
  final InProcessService postgres = InProcessService.onPostgres();

  private InProcessService service(String database) {
    return database.equals("postgres") ? postgres : h2;
  }

  private static CreateUserRequest valid() {
    return CreateUserRequest.newBuilder().setEmail("nul@example.com").setName("Nul").setPassword("long enough")
        .setRequestId("req-nul").build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_nulInAnyField_invalidArgument(String database) {
    List<UnaryOperator<CreateUserRequest.Builder>> edits = List.of(
        b -> b.setEmail("nul" + NUL + "@example.com"),
        b -> b.setEmail("nul@exam" + NUL + "ple.com"),
        b -> b.setName("N" + NUL + "ul"),
        b -> b.setRequestId("req" + NUL),
        b -> b.setRequestId(NUL));
    for (UnaryOperator<CreateUserRequest.Builder> edit : edits) {
      CreateUserRequest request = edit.apply(valid().toBuilder()).build();

      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> service(database).blocking().createUser(request));

      assertThat(e).as("%s", request).isNotNull();
      assertThat(e.getStatus().getCode()).as("%s", request).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_nulInPassword_storedAsItsHashOnly(String database) {
    User user = service(database).blocking().createUser(valid().toBuilder().setPassword("pass" + NUL + "word").build());

    assertThat(user.getEmail()).isEqualTo("nul@example.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void lookupsAndUpdates_nulInIdsTokensAndFields_invalidArgument(String database) throws Exception {
    InProcessService service = service(database);
    User user = service.blocking().createUser(valid());

    assertThat(code(() -> service.blocking().getUser(GetUserRequest.newBuilder()
        .setUserId(user.getId() + NUL).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> service.blocking().listUsers(ListUsersRequest.newBuilder()
        .setPageToken(user.getId() + NUL).build()).hasNext())).isEqualTo(Status.Code.INVALID_ARGUMENT);
    for (UserUpdateRequest update : List.of(
        UserUpdateRequest.newBuilder().setUserId(user.getId() + NUL).setName("x").build(),
        UserUpdateRequest.newBuilder().setUserId(user.getId()).setName("x" + NUL).build(),
        UserUpdateRequest.newBuilder().setUserId(user.getId()).setEmail("x" + NUL + "@example.com").build(),
        UserUpdateRequest.newBuilder().setUserId(user.getId())
            .setUpdateMask(FieldMask.newBuilder().addPaths("name" + NUL)).build())) {
      assertThat(update(service, update)).as("%s", update).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void bulkCreate_nulInAnItem_thatItemInvalidTheOthersStored(String database) throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service(database).async().bulkCreateUsers(result);
    requests.onNext(CreateUserRequest.newBuilder().setEmail("ok@example.com").setName("Ok").build());
    requests.onNext(CreateUserRequest.newBuilder().setEmail("bad@example.com").setName("B" + NUL).build());
    requests.onNext(CreateUserRequest.newBuilder().setEmail("b" + NUL + "@example.com").setName("B").build());
    requests.onCompleted();

    assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
    BulkCreateResponse response = result.values().get(0);
    assertThat(response.getCreatedCount()).isEqualTo(1);
    assertThat(response.getFailuresList()).extracting(BulkCreateFailure::getIndex).containsExactly(1, 2);
    assertThat(response.getFailuresList()).extracting(BulkCreateFailure::getCode)
        .containsOnly(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
  }

  private static Status.Code code(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    return e == null ? Status.Code.OK : e.getStatus().getCode();
  }

  private static Status.Code update(InProcessService service, UserUpdateRequest request) throws Exception {
    RecordingObserver<User> result = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> updates = service.async().userUpdates(result);
    updates.onNext(request);
    updates.onCompleted();
    Status end = result.awaitEnd();
    if (!end.isOk()) {
      return end.getCode();
    }
    return Status.Code.OK;
  }
}
