package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.Rows;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CreateUser's request id on both databases (AIP-155): a retry of the same request returns the
 * first result; another request reusing the id is refused and learns nothing of the first user.
 * CreateUser needs no token, so anyone may try a request id.
 */
class RequestIdReuseTest {
  @RegisterExtension
  final InProcessService h2 = InProcessService.onH2();
  @RegisterExtension
  final InProcessService postgres = InProcessService.onPostgres();

  private UserServiceGrpc.UserServiceBlockingStub anonymous(String database) {
    InProcessService service = database.equals("postgres") ? postgres : h2;
    return UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static CreateUserRequest request(String email, String name, String password) {
    return CreateUserRequest.newBuilder().setEmail(email).setName(name).setPassword(password)
        .setRequestId("signup-0b6f7c9e").build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_sameRequestRetried_returnsTheFirstUser(String database) throws Exception {
    User first = anonymous(database).createUser(request("first@example.com", "First", "first password"));

    User again = anonymous(database).createUser(request("first@example.com", "First", "first password"));

    assertThat(again).isEqualTo(first);
    assertThat(Rows.countUsers(settings(database))).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_requestIdReusedWithAnotherPayload_alreadyExistsAndNothingOfTheFirstUser(String database)
      throws Exception {
    User first = anonymous(database).createUser(request("first@example.com", "First", "first password"));

    for (CreateUserRequest other : new CreateUserRequest[] {
        request("first@example.com", "First", "another password"),
        request("first@example.com", "First", ""),
        request("other@example.com", "First", "first password"),
        request("first@example.com", "Other", "first password")}) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> anonymous(database).createUser(other));

      assertThat(e.getStatus().getCode()).as("%s", other).isEqualTo(Status.Code.ALREADY_EXISTS);
      assertThat(e.getStatus().getDescription()).contains("request_id")
          .doesNotContain(first.getId()).doesNotContain("first@example.com").doesNotContain("First");
      ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
      assertThat(info.getReason()).isEqualTo("REQUEST_ID_REUSED");
      assertThat(info.getMetadataMap()).isEmpty();
    }
    assertThat(Rows.countUsers(settings(database))).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_retryWithoutPasswordOfRequestWithout_returnsTheFirstUser(String database) throws Exception {
    User first = anonymous(database).createUser(request("nopass@example.com", "No Pass", ""));

    assertThat(anonymous(database).createUser(request("nopass@example.com", "No Pass", ""))).isEqualTo(first);
    assertThat(catchThrowableOfType(StatusRuntimeException.class,
        () -> anonymous(database).createUser(request("nopass@example.com", "No Pass", "now a password")))
        .getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  private dev.userservice.db.DatabaseSettings settings(String database) {
    return (database.equals("postgres") ? postgres : h2).settings();
  }
}
