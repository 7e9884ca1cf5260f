package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import dev.userservice.api.auth.v1.LoginResponse;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.FaultInjector.Fault;
import dev.userservice.testing.FaultInjectingService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.Rows;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every call of the client against the real service over the network: results, errors, tokens, deadlines. */
class UserServiceClientTest {
  private static final String GET_USER = UserServiceGrpc.getGetUserMethod().getFullMethodName();
  private static final String UNKNOWN_ID = "0190a5d0-7e1c-7abc-8def-0123456789ab";

  @RegisterExtension
  final FaultInjectingService service = FaultInjectingService.onLoopback();

  private UserServiceClient client(Supplier<String> tokens) {
    return service.closeAfter(UserServiceClient.builder(service.target()).bearerTokens(tokens).build());
  }

  private UserServiceClient admin() {
    return client(TestTokens::admin);
  }

  private static CreateUserRequest newUser(String email) {
    return CreateUserRequest.newBuilder().setEmail(email).setName("Client Test").build();
  }

  @Test
  void getUser_afterCreate_returnsSameUser() {
    UserServiceClient client = admin();
    User created = client.createUser(newUser("ada@example.com"));

    assertThat(client.getUser(created.getId())).isEqualTo(created);
  }

  @Test
  void createUser_requestIdGivenByCaller_keptSoRepeatReturnsSameUser() throws Exception {
    UserServiceClient client = admin();
    CreateUserRequest request = newUser("repeat@example.com").toBuilder().setRequestId("order-42").build();

    User first = client.createUser(request);
    User second = client.createUser(request);

    assertThat(second.getId()).isEqualTo(first.getId());
    assertThat(Rows.countUsers(service.settings())).isEqualTo(1);
  }

  @Test
  void getUser_unknownId_notFoundException() {
    UserServiceClient client = admin();

    assertThatThrownBy(() -> client.getUser(UNKNOWN_ID)).isInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(((UserServiceException) e).status().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void createUser_emailTaken_alreadyExistsException() {
    UserServiceClient client = admin();
    client.createUser(newUser("taken@example.com"));

    assertThatThrownBy(() -> client.createUser(newUser("TAKEN@example.com")))
        .isInstanceOf(AlreadyExistsException.class);
  }

  @Test
  void createUser_invalidFields_invalidArgumentExceptionWithEveryViolation() {
    UserServiceClient client = admin();
    CreateUserRequest bad = CreateUserRequest.newBuilder().setEmail("not-an-email").setName("").build();

    InvalidArgumentException e = catchThrowableOfType(InvalidArgumentException.class, () -> client.createUser(bad));

    assertThat(e.violations()).extracting(BadRequest.FieldViolation::getField)
        .containsExactlyInAnyOrder("email", "name");
    assertThat(e.violations()).allSatisfy(v -> assertThat(v.getDescription()).isNotEmpty());
  }

  @Test
  void getUser_noTokenSupplier_unauthenticatedException() {
    UserServiceClient client = service.closeAfter(UserServiceClient.builder(service.target()).build());

    assertThatThrownBy(() -> client.getUser(UNKNOWN_ID)).isInstanceOf(UnauthenticatedException.class);
    assertThat(service.faults().calls(GET_USER)).as("refused before the service").isZero();
  }

  @Test
  void getUser_tokenSupplier_askedForEveryCall() {
    AtomicInteger asked = new AtomicInteger();
    UserServiceClient client = client(() -> {
      asked.incrementAndGet();
      return TestTokens.admin();
    });
    User created = client.createUser(newUser("tokens@example.com"));

    client.getUser(created.getId());
    client.getUser(created.getId());

    assertThat(asked).hasValue(3);
  }

  @Test
  void getUser_tokenSupplierFails_unauthenticatedExceptionWithCause() {
    IllegalStateException broken = new IllegalStateException("token endpoint down");
    UserServiceClient client = client(() -> {
      throw broken;
    });

    UnauthenticatedException e = catchThrowableOfType(UnauthenticatedException.class,
        () -> client.getUser(UNKNOWN_ID));

    assertThat(e).hasRootCause(broken);
    assertThat(service.faults().calls(GET_USER)).isZero();
  }

  @Test
  void bulkCreateUsers_tokenWithoutAdminRole_permissionDeniedException() {
    UserServiceClient client = client(() -> TestTokens.user(UUID.randomUUID().toString()));

    assertThatThrownBy(() -> client.bulkCreateUsers(List.of(newUser("bulk@example.com"))))
        .isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void getUser_otherStatus_generalExceptionKeepsStatus() {
    UserServiceClient client = admin();
    service.faults().always(GET_USER, Fault.fail(Status.RESOURCE_EXHAUSTED.withDescription("slow down")));

    UserServiceException e = catchThrowableOfType(UserServiceException.class, () -> client.getUser(UNKNOWN_ID));

    assertThat(e.getClass()).isEqualTo(UserServiceException.class);
    assertThat(e.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.status().getDescription()).isEqualTo("slow down");
    assertThat(e).hasMessage("RESOURCE_EXHAUSTED: slow down");
  }

  @Test
  void getUser_builderDeadlineShorterThanServer_deadlineExceeded() {
    UserServiceClient client = service.closeAfter(UserServiceClient.builder(service.target())
        .bearerTokens(TestTokens::admin)
        .deadline(ClientMethod.GET_USER, Duration.ofMillis(200))
        .build());
    User created = client.createUser(newUser("deadline@example.com"));
    service.faults().always(GET_USER, Fault.delayResponse(Duration.ofMillis(800)));

    UserServiceException e = catchThrowableOfType(UserServiceException.class, () -> client.getUser(created.getId()));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void getUser_perCallDeadlineLongerThanBuilders_overridesIt() {
    UserServiceClient client = service.closeAfter(UserServiceClient.builder(service.target())
        .bearerTokens(TestTokens::admin)
        .deadline(ClientMethod.GET_USER, Duration.ofMillis(200))
        .build());
    User created = client.createUser(newUser("override@example.com"));
    service.faults().always(GET_USER, Fault.delayResponse(Duration.ofMillis(500)));

    assertThat(client.getUser(created.getId(), Duration.ofSeconds(5))).isEqualTo(created);
  }

  @Test
  void bulkCreateUsers_mixedItems_createsValidOnesAndReportsTheRest() {
    UserServiceClient client = admin();

    BulkCreateResponse response = client.bulkCreateUsers(List.of(
        newUser("edsger@example.com"), newUser("not-an-email"), newUser("barbara@example.com")));

    assertThat(response.getCreatedCount()).isEqualTo(2);
    assertThat(response.getFailuresList()).extracting(f -> f.getIndex()).containsExactly(1);
    assertThat(client.getUser(response.getUserIds(1)).getEmail()).isEqualTo("barbara@example.com");
  }

  @Test
  void bulkCreateUsers_moreInvalidItemsThanListed_countOfAllInTheResponse() {
    UserServiceClient client = admin();
    List<CreateUserRequest> requests = IntStream.range(0, 2500)
        .mapToObj(i -> newUser("invalid " + i)).collect(Collectors.toList());

    BulkCreateResponse response = client.bulkCreateUsers(requests);

    assertThat(response.getFailureCount()).isEqualTo(2500);
    assertThat(response.getFailuresList()).hasSize(1000);
    assertThat(response.getCreatedCount()).isZero();
  }

  @Test
  void bulkCreateUsers_thousandsOfItems_allStreamedAndCreated() throws Exception {
    UserServiceClient client = admin();
    List<CreateUserRequest> requests = IntStream.range(0, 3000)
        .mapToObj(i -> newUser("bulk" + i + "@example.com")).collect(Collectors.toList());

    BulkCreateResponse response = client.bulkCreateUsers(requests);

    assertThat(response.getCreatedCount()).isEqualTo(3000);
    assertThat(Rows.countUsers(service.settings())).isEqualTo(3000);
  }

  @Test
  void bulkCreateUsers_answerLargerThanGrpcDefaultLimit_received() {
    UserServiceClient client = admin();
    int count = 120_000; // about 4.6 MB of ids, over gRPC's 4 MiB default
    Iterable<CreateUserRequest> requests = () -> IntStream.range(0, count)
        .mapToObj(i -> newUser("large" + i + "@example.com")).iterator();

    BulkCreateResponse response = client.bulkCreateUsers(requests);

    assertThat(response.getSerializedSize()).isGreaterThan(4 * 1024 * 1024);
    assertThat(response.getUserIdsList()).hasSize(count).doesNotHaveDuplicates();
  }

  @Test
  void bulkCreateUsers_emptyIterable_nothingCreated() {
    UserServiceClient client = admin();

    BulkCreateResponse response = client.bulkCreateUsers(List.of());

    assertThat(response.getCreatedCount()).isZero();
  }

  @Test
  void userUpdates_rename_answeredWithStoredUser() throws Exception {
    UserServiceClient client = admin();
    User created = client.createUser(newUser("rename@example.com"));
    RecordingObserver<User> responses = new RecordingObserver<>();

    StreamObserver<UserUpdateRequest> requests = client.userUpdates(responses);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(created.getId()).setName("Renamed").build());
    requests.onCompleted();

    assertThat(responses.awaitEnd().isOk()).isTrue();
    assertThat(responses.values()).singleElement().satisfies(u -> {
      assertThat(u.getName()).isEqualTo("Renamed");
      assertThat(u.getEtag()).isNotEqualTo(created.getEtag());
    });
  }

  @Test
  void userUpdates_otherUsersToken_permissionDeniedExceptionOnObserver() throws Exception {
    User created = admin().createUser(newUser("victim@example.com"));
    UserServiceClient client = client(() -> TestTokens.user(UUID.randomUUID().toString()));
    RecordingObserver<User> responses = new RecordingObserver<>();

    StreamObserver<UserUpdateRequest> requests = client.userUpdates(responses);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(created.getId()).setName("Hijacked").build());

    assertThat(responses.awaitEnd().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(responses.error()).isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void login_rightPassword_tokenThatOpensGetUser() {
    UserServiceClient anonymous = service.closeAfter(UserServiceClient.builder(service.target()).build());
    User created = anonymous.createUser(newUser("login@example.com").toBuilder()
        .setPassword("correct horse battery").build());

    LoginResponse login = anonymous.login("login@example.com", "correct horse battery");
    UserServiceClient signedIn = client(login::getAccessToken);

    assertThat(signedIn.getUser(created.getId())).isEqualTo(created);
  }

  @Test
  void login_wrongPassword_unauthenticatedException() {
    UserServiceClient client = admin();
    client.createUser(newUser("wrong@example.com").toBuilder().setPassword("correct horse battery").build());

    assertThatThrownBy(() -> client.login("wrong@example.com", "incorrect horse"))
        .isInstanceOf(UnauthenticatedException.class);
  }

  @Test
  void close_calledTwice_laterCallsFail() {
    UserServiceClient client = admin();
    client.createUser(newUser("close@example.com"));

    client.close();
    client.close();

    UserServiceException e = catchThrowableOfType(UserServiceException.class, () -> client.getUser(UNKNOWN_ID));
    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void close_interrupted_interruptFlagKept() {
    UserServiceClient client = admin();
    client.createUser(newUser("interrupt@example.com"));

    Thread.currentThread().interrupt();
    try {
      client.close();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void builder_nonPositiveDeadline_rejectedNamingTheValue() {
    UserServiceClientBuilder builder = UserServiceClient.builder("127.0.0.1:1");

    assertThatThrownBy(() -> builder.deadline(ClientMethod.GET_USER, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.listReopens(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("listReopens: -1 (expected: 0..100)");
  }
}
