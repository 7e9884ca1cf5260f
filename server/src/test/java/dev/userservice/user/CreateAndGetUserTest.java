package dev.userservice.user;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.Rows;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CreateAndGetUserTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private static CreateUserRequest request(String email, String name) {
    return CreateUserRequest.newBuilder().setEmail(email).setName(name).build();
  }

  static List<BadRequest.FieldViolation> violations(StatusRuntimeException e) throws Exception {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    return status.getDetails(0).unpack(BadRequest.class).getFieldViolationsList();
  }

  @Test
  void createUser_valid_activeUserWithTimeOrderedIdAndLowerCaseEmail() {
    User user = service.blocking().createUser(request("Ada.Lovelace@Example.COM", "Ada Lovelace"));

    UUID id = UUID.fromString(user.getId());
    assertThat(id.version()).isEqualTo(7);
    assertThat(user.getEmail()).isEqualTo("ada.lovelace@example.com");
    assertThat(user.getName()).isEqualTo("Ada Lovelace");
    assertThat(user.getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
    assertThat(user.getCreatedAt().getSeconds()).isPositive();
    assertThat(user.getUpdateTime()).isEqualTo(user.getCreatedAt());
    assertThat(user.getEtag()).isNotEmpty();
  }

  @Test
  void getUser_afterCreate_returnsSameUser() {
    User created = service.blocking().createUser(request("get@example.com", "Get Me"));

    User fetched = service.blocking().getUser(GetUserRequest.newBuilder().setUserId(created.getId()).build());

    assertThat(fetched).isEqualTo(created);
  }

  @Test
  void getUser_unknownId_notFound() {
    String id = UUID.randomUUID().toString();
    assertThatThrownBy(() -> service.blocking().getUser(GetUserRequest.newBuilder().setUserId(id).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void getUser_notAnId_invalidArgumentNamingTheField() throws Exception {
    StatusRuntimeException e = catchStatus(() -> service.blocking().getUser(
        GetUserRequest.newBuilder().setUserId("42; drop table users").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(e)).extracting(BadRequest.FieldViolation::getField).containsExactly("user_id");
  }

  @Test
  void createUser_everyFieldInvalid_allReportedAtOnce() throws Exception {
    CreateUserRequest bad = CreateUserRequest.newBuilder()
        .setEmail("not-an-email")
        .setName("bad\u0007name")
        .setPassword("short")
        .setRequestId("x".repeat(129))
        .build();

    StatusRuntimeException e = catchStatus(() -> service.blocking().createUser(bad));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(e)).extracting(BadRequest.FieldViolation::getField)
        .containsExactly("email", "name", "password", "request_id");
    assertThat(e.getStatus().getDescription()).doesNotContain("short");
    assertThat(Rows.countUsers(service.settings())).isZero();
  }

  @Test
  void createUser_missingEmailAndName_bothReported() throws Exception {
    StatusRuntimeException e = catchStatus(() -> service.blocking().createUser(CreateUserRequest.getDefaultInstance()));

    assertThat(violations(e)).extracting(BadRequest.FieldViolation::getField).containsExactly("email", "name");
  }

  @Test
  void createUser_fieldsAtTheirLimits_accepted() {
    String local = "l".repeat(64);
    String email = local + "@" + "d".repeat(254 - 64 - 1 - 4) + ".com";
    String name = "\ud83d\ude00".repeat(200); // 200 code points, 400 UTF-16 units
    User user = service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail(email).setName(name).setPassword("p".repeat(128)).setRequestId("r".repeat(128)).build());

    assertThat(user.getEmail()).hasSize(254);
    assertThat(user.getName()).isEqualTo(name);
  }

  @Test
  void createUser_fieldsOnePastTheirLimits_rejected() throws Exception {
    String email = "l".repeat(64) + "@" + "d".repeat(254 - 64 - 1 - 4 + 1) + ".com";
    StatusRuntimeException e = catchStatus(() -> service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail(email).setName("n".repeat(201)).setPassword("p".repeat(129)).build()));

    assertThat(violations(e)).extracting(BadRequest.FieldViolation::getField)
        .containsExactly("email", "name", "password");
  }

  @Test
  void createUser_sqlMetacharactersAndUnicode_storedLiterally() {
    String name = "O'Brien \"; DELETE FROM users; -- \u00fc\u00df\u4e2d\u6587 \u202e";
    User created = service.blocking().createUser(request("o'brien+tag@ex-ample.com", name));

    User fetched = service.blocking().getUser(GetUserRequest.newBuilder().setUserId(created.getId()).build());
    assertThat(fetched.getName()).isEqualTo(name);
    assertThat(fetched.getEmail()).isEqualTo("o'brien+tag@ex-ample.com");
  }

  @Test
  void createUser_emailTakenInAnotherCase_alreadyExists() {
    service.blocking().createUser(request("dup@example.com", "First"));

    StatusRuntimeException e = catchStatus(() -> service.blocking().createUser(request("DUP@example.com", "Second")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void createUser_repeatedRequestId_returnsTheFirstUser() throws Exception {
    CreateUserRequest create = CreateUserRequest.newBuilder()
        .setEmail("idem@example.com").setName("Idem").setRequestId("7b2c-retry").build();

    User first = service.blocking().createUser(create);
    User second = service.blocking().createUser(create);

    assertThat(second).isEqualTo(first);
    assertThat(Rows.countUsers(service.settings())).isEqualTo(1);
  }

  @Test
  void createUser_withPassword_storesOnlyDistinctArgon2idHashes() throws Exception {
    User a = service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("a@example.com").setName("A").setPassword("correct horse").build());
    service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("b@example.com").setName("B").setPassword("correct horse").build());

    assertThat(a.toString()).doesNotContain("correct horse").doesNotContain("argon2");
    String hashA = Rows.passwordHashes(service.settings(), "a@example.com").get(0);
    String hashB = Rows.passwordHashes(service.settings(), "b@example.com").get(0);
    assertThat(hashA).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct horse");
    assertThat(hashB).startsWith("$argon2id$").isNotEqualTo(hashA);
  }

  @Test
  void createUser_withoutPassword_storesNoHash() throws Exception {
    service.blocking().createUser(request("nopass@example.com", "No Pass"));

    assertThat(Rows.passwordHashes(service.settings(), "nopass@example.com")).containsExactly((String) null);
  }
}
