package dev.userservice.identity;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.FieldMask;
import dev.userservice.api.user.v1.BulkCreateResponse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every call sees its account's current status and roles, not the token's: run on both
 * databases (the embedded one's in-process feed, and PostgreSQL's LISTEN/NOTIFY).
 */
abstract class AccountStateContract {
  private User alice;
  private String aliceToken;

  abstract InProcessService service();

  @BeforeEach
  void createUser() {
    alice = service().blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("alice@example.com").setName("Alice").build());
    aliceToken = TestTokens.user(alice.getId());
  }

  private User get(String token) {
    return service().blocking(token).getUser(GetUserRequest.newBuilder().setUserId(alice.getId()).build());
  }

  private List<User> list(String token) {
    List<User> users = new ArrayList<>();
    service().blocking(token).listUsers(ListUsersRequest.getDefaultInstance()).forEachRemaining(users::add);
    return users;
  }

  /** Sends one update on a stream of its own and returns how the stream ended, with its answers. */
  private RecordingObserver<User> update(String token, UserUpdateRequest request) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = service().async(token).userUpdates(answers);
    requests.onNext(request);
    requests.onCompleted();
    answers.awaitEnd();
    return answers;
  }

  private User updateAsAdmin(UserUpdateRequest request) throws Exception {
    RecordingObserver<User> answers = update(TestTokens.admin(), request);
    assertThat(answers.awaitEnd().isOk()).as("admin update %s", answers.error()).isTrue();
    return answers.values().get(0);
  }

  private UserUpdateRequest.Builder ofAlice() {
    return UserUpdateRequest.newBuilder().setUserId(alice.getId());
  }

  private UserUpdateRequest setRoles(String... roles) {
    return ofAlice().addAllRoles(List.of(roles)).setUpdateMask(FieldMask.newBuilder().addPaths("roles")).build();
  }

  private UserUpdateRequest setStatus(UserStatus status) {
    return ofAlice().setStatus(status).build();
  }

  @Test
  void anyCall_accountDeactivated_tokenRefusedAtOnce() throws Exception {
    assertThat(get(aliceToken).getId()).isEqualTo(alice.getId()); // the account's state is now cached

    updateAsAdmin(setStatus(UserStatus.USER_STATUS_INACTIVE));

    StatusRuntimeException refused = catchStatus(() -> get(aliceToken));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getStatus().getDescription()).isEqualTo("the account is not active");
  }

  @Test
  void userUpdates_deactivatedUserReactivatesItself_refusedAndStillInactive() throws Exception {
    get(aliceToken);
    updateAsAdmin(setStatus(UserStatus.USER_STATUS_INACTIVE));

    RecordingObserver<User> answers = update(aliceToken, setStatus(UserStatus.USER_STATUS_ACTIVE));

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(get(TestTokens.admin()).getStatus()).isEqualTo(UserStatus.USER_STATUS_INACTIVE);
  }

  @Test
  void anyCall_accountReactivatedByAdmin_tokenWorksAgain() throws Exception {
    updateAsAdmin(setStatus(UserStatus.USER_STATUS_INACTIVE));
    assertThat(catchStatus(() -> get(aliceToken)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    updateAsAdmin(setStatus(UserStatus.USER_STATUS_ACTIVE));

    assertThat(get(aliceToken).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
  }

  @Test
  void userUpdates_openStreamOfAccountDeactivated_nextRequestEndsItUnauthenticated() throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = service().async(aliceToken).userUpdates(answers);
    requests.onNext(ofAlice().setName("Before").build());
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.values().size() == 1);

    updateAsAdmin(setStatus(UserStatus.USER_STATUS_INACTIVE));
    requests.onNext(ofAlice().setName("After").build());

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    // the stream follows alice, so it may have been sent the deactivation itself
    assertThat(answers.values()).extracting(User::getName).containsOnly("Before");
    assertThat(get(TestTokens.admin()).getName()).isEqualTo("Before");
  }

  @Test
  void userUpdates_openStreamOfAdminWhoseRoleIsRemoved_nextChangeOfAnotherUserDenied() throws Exception {
    User bob = service().blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("bob@example.com").setName("Bob").build());
    updateAsAdmin(setRoles("admin"));
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = service().async(aliceToken).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(bob.getId()).setName("Robert").build());
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.values().size() == 1);

    updateAsAdmin(setRoles());
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(bob.getId()).setName("Bobby").build());

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(service().blocking().getUser(GetUserRequest.newBuilder().setUserId(bob.getId()).build()).getName())
        .isEqualTo("Robert");
  }

  @Test
  void userUpdates_followerDeactivated_sentNoFurtherChanges() throws Exception {
    RecordingObserver<User> own = follow(aliceToken);
    RecordingObserver<User> control = follow(TestTokens.admin());

    updateAsAdmin(setStatus(UserStatus.USER_STATUS_INACTIVE));
    updateAsAdmin(ofAlice().setName("Later").build());

    await().atMost(Duration.ofSeconds(5)).until(() -> names(control).contains("Later"));
    Thread.sleep(200); // room for a change still on its way to the other follower
    assertThat(names(own)).containsOnly("Alice");
  }

  @Test
  void userUpdates_followingAdminLosesTheRole_sentNoFurtherChangesOfOthers() throws Exception {
    User bob = service().blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("bob@example.com").setName("Bob").build());
    updateAsAdmin(setRoles("admin"));
    RecordingObserver<User> follower = follow(aliceToken, bob);
    RecordingObserver<User> control = follow(TestTokens.admin(), bob);

    updateAsAdmin(setRoles());
    updateAsAdmin(UserUpdateRequest.newBuilder().setUserId(bob.getId()).setName("Robert").build());

    await().atMost(Duration.ofSeconds(5)).until(() -> names(control).contains("Robert"));
    Thread.sleep(200);
    assertThat(names(follower)).containsOnly("Bob");
  }

  private RecordingObserver<User> follow(String token) throws Exception {
    return follow(token, alice);
  }

  /** Opens a stream that follows {@code user} and waits for its first answer. */
  private RecordingObserver<User> follow(String token, User user) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    service().async(token).userUpdates(answers).onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.values().size() == 1);
    return answers;
  }

  private static List<String> names(RecordingObserver<User> answers) {
    return answers.values().stream().map(User::getName).toList();
  }

  @Test
  void userUpdates_ownStatusWithoutAdmin_permissionDeniedAndUnchanged() throws Exception {
    RecordingObserver<User> answers = update(aliceToken, setStatus(UserStatus.USER_STATUS_INACTIVE));

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(answers.awaitEnd().getDescription()).isEqualTo("changing 'status' or 'roles' needs the 'admin' role");
    assertThat(get(aliceToken).getStatus()).isEqualTo(UserStatus.USER_STATUS_ACTIVE);
  }

  @Test
  void userUpdates_ownRolesWithoutAdmin_permissionDeniedAndUnchanged() throws Exception {
    RecordingObserver<User> answers = update(aliceToken, setRoles("admin"));

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(get(aliceToken).getRolesList()).isEmpty();
  }

  @Test
  void userUpdates_ownNameAndEmail_allowed() throws Exception {
    RecordingObserver<User> answers = update(aliceToken, ofAlice().setName("Alice B.")
        .setEmail("alice.b@example.com").build());

    assertThat(answers.awaitEnd().isOk()).isTrue();
    assertThat(answers.values().get(0).getEmail()).isEqualTo("alice.b@example.com");
  }

  @Test
  void userUpdates_rolesByAdmin_storedSortedAndCarriedByTheUser() throws Exception {
    User updated = updateAsAdmin(setRoles("service", "admin"));

    assertThat(updated.getRolesList()).containsExactly("admin", "service");
    assertThat(get(aliceToken).getRolesList()).containsExactly("admin", "service");
  }

  @Test
  void userUpdates_invalidRoles_invalidArgumentNamingEach() throws Exception {
    RecordingObserver<User> answers = update(TestTokens.admin(), setRoles("admin", "Bad Role", "x".repeat(31)));

    Status status = answers.awaitEnd();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("roles[1]", "'Bad Role'", "roles[2]").doesNotContain("roles[0]");
    assertThat(get(aliceToken).getRolesList()).isEmpty();
  }

  @Test
  void anyCall_roleGrantedThenRemoved_followsAtOnce() throws Exception {
    assertThat(catchStatus(() -> list(aliceToken)).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

    updateAsAdmin(setRoles("service"));
    assertThat(list(aliceToken)).extracting(User::getId).containsExactly(alice.getId());

    updateAsAdmin(setRoles());
    assertThat(catchStatus(() -> list(aliceToken)).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void bulkCreate_adminRoleRemoved_permissionDenied() throws Exception {
    updateAsAdmin(setRoles("admin"));
    assertThat(bulkCreate(aliceToken, "first@example.com").isOk()).isTrue();

    updateAsAdmin(setRoles());

    assertThat(bulkCreate(aliceToken, "second@example.com").getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void bulkCreate_openStreamOfAdminWhoseRoleIsRemoved_nextRequestEndsItAndNothingStays() throws Exception {
    updateAsAdmin(setRoles("admin"));
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service().async(aliceToken).bulkCreateUsers(result);
    requests.onNext(CreateUserRequest.newBuilder().setEmail("before@example.com").setName("Before").build());

    updateAsAdmin(setRoles());
    requests.onNext(CreateUserRequest.newBuilder().setEmail("after@example.com").setName("After").build());
    requests.onCompleted();

    assertThat(result.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(list(TestTokens.admin())).extracting(User::getEmail)
        .doesNotContain("before@example.com", "after@example.com");
  }

  private Status bulkCreate(String token, String email) throws Exception {
    RecordingObserver<BulkCreateResponse> result = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service().async(token).bulkCreateUsers(result);
    requests.onNext(CreateUserRequest.newBuilder().setEmail(email).setName("Bulk").build());
    requests.onCompleted();
    return result.awaitEnd();
  }

  @Test
  void anyCall_localUserTokenClaimingAdmin_getsTheAccountsRolesInstead() {
    String claimsAdmin = TestTokens.SERVICE.issue(alice.getId(), Set.of("admin")).token();

    assertThat(catchStatus(() -> list(claimsAdmin)).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void listUsers_ordinaryUser_permissionDenied() {
    StatusRuntimeException refused = catchStatus(() -> list(aliceToken));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused.getStatus().getDescription()).isEqualTo("ListUsers needs the 'admin' or 'service' role");
  }

  @Test
  void listUsers_adminOrServiceIdentity_allowed() {
    String service = TestTokens.SERVICE.issue("billing-service", Set.of("service")).token();
    // a user id no local user has is a service identity too: its token's roles hold
    String foreign = TestTokens.SERVICE.issue(UUID.randomUUID().toString(), Set.of("service")).token();

    assertThat(list(TestTokens.admin())).extracting(User::getId).containsExactly(alice.getId());
    assertThat(list(service)).extracting(User::getId).containsExactly(alice.getId());
    assertThat(list(foreign)).extracting(User::getId).containsExactly(alice.getId());
  }
}
