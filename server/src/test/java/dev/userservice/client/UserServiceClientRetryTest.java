package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.FaultInjector.Fault;
import dev.userservice.testing.FaultInjectingService;
import dev.userservice.testing.Rows;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retry policy of the service config, against the real service with injected faults. */
class UserServiceClientRetryTest {
  /** maxAttempts in service-config.json. */
  private static final int MAX_ATTEMPTS = 4;
  private static final String GET_USER = UserServiceGrpc.getGetUserMethod().getFullMethodName();
  private static final String CREATE_USER = UserServiceGrpc.getCreateUserMethod().getFullMethodName();
  private static final String BULK_CREATE = UserServiceGrpc.getBulkCreateUsersMethod().getFullMethodName();
  private static final Status UNAVAILABLE = Status.UNAVAILABLE.withDescription("injected");

  @RegisterExtension
  final FaultInjectingService service = FaultInjectingService.onLoopback();

  private UserServiceClient client() {
    return service.closeAfter(UserServiceClient.builder(service.target()).bearerTokens(TestTokens::admin).build());
  }

  private static CreateUserRequest newUser(String email) {
    return CreateUserRequest.newBuilder().setEmail(email).setName("Retry Test").build();
  }

  @Test
  void getUser_unavailableTwice_succeedsOnThirdAttempt() {
    UserServiceClient client = client();
    User created = client.createUser(newUser("retry@example.com"));
    service.faults().next(GET_USER, Fault.fail(UNAVAILABLE)).next(GET_USER, Fault.fail(UNAVAILABLE));

    User fetched = client.getUser(created.getId());

    assertThat(fetched).isEqualTo(created);
    assertThat(service.faults().calls(GET_USER)).isEqualTo(3);
  }

  @Test
  void getUser_alwaysUnavailable_failsAfterMaxAttempts() {
    UserServiceClient client = client();
    service.faults().always(GET_USER, Fault.fail(UNAVAILABLE));

    UserServiceException e = catchThrowableOfType(UserServiceException.class,
        () -> client.getUser("0190a5d0-7e1c-7abc-8def-0123456789ab"));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(service.faults().calls(GET_USER)).isEqualTo(MAX_ATTEMPTS);
  }

  @Test
  void getUser_unavailableCallAfterCall_retryThrottlingStopsRetries() {
    UserServiceClient client = client();
    service.faults().always(GET_USER, Fault.fail(UNAVAILABLE));

    // 10 tokens, one spent per failed attempt; retries stop once half are gone
    catchThrowableOfType(UserServiceException.class, () -> client.getUser("0190a5d0-7e1c-7abc-8def-0123456789ab"));
    int firstCall = service.faults().calls(GET_USER);
    for (int i = 0; i < 4; i++) {
      catchThrowableOfType(UserServiceException.class, () -> client.getUser("0190a5d0-7e1c-7abc-8def-0123456789ab"));
    }

    assertThat(firstCall).isEqualTo(MAX_ATTEMPTS);
    assertThat(service.faults().calls(GET_USER) - firstCall).as("attempts of the four later calls").isEqualTo(4);
  }

  @Test
  void getUser_serverAnswersDeadlineExceeded_notRetried() {
    UserServiceClient client = client();
    service.faults().always(GET_USER, Fault.fail(Status.DEADLINE_EXCEEDED.withDescription("injected")));

    UserServiceException e = catchThrowableOfType(UserServiceException.class,
        () -> client.getUser("0190a5d0-7e1c-7abc-8def-0123456789ab"));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(service.faults().calls(GET_USER)).isEqualTo(1);
  }

  @Test
  void getUser_serverSlowerThanDeadline_deadlineExceededAfterOneAttempt() {
    UserServiceClient client = client();
    User created = client.createUser(newUser("slow@example.com"));
    service.faults().always(GET_USER, Fault.delayResponse(Duration.ofSeconds(1)));

    long start = System.nanoTime();
    UserServiceException e = catchThrowableOfType(UserServiceException.class,
        () -> client.getUser(created.getId(), Duration.ofMillis(300)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(e.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(took).isLessThan(Duration.ofMillis(1500));
    // no attempt follows, not even once the slow answer arrives
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
        .until(() -> service.faults().calls(GET_USER) == 1);
  }

  @Test
  void getUser_attemptsSlowThenUnavailable_allAttemptsEndWithinTheOneDeadline() {
    UserServiceClient client = client();
    service.faults().always(GET_USER, Fault.failAfter(Duration.ofMillis(400), UNAVAILABLE));

    long start = System.nanoTime();
    UserServiceException e = catchThrowableOfType(UserServiceException.class,
        () -> client.getUser("0190a5d0-7e1c-7abc-8def-0123456789ab", Duration.ofSeconds(1)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // attempts at about 0, 0.5 and 1 s: the deadline ends the call before all four could run
    assertThat(e.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1500));
    assertThat(service.faults().calls(GET_USER)).isBetween(2, MAX_ATTEMPTS - 1);
  }

  @Test
  void createUser_responseLost_retryReturnsSameUser() throws Exception {
    UserServiceClient client = client();
    service.faults().next(CREATE_USER, Fault.loseResponse());

    User user = client.createUser(newUser("lost@example.com"));

    assertThat(service.faults().calls(CREATE_USER)).isEqualTo(2);
    assertThat(service.faults().lostResponses()).hasSize(1);
    // interceptors see requests as bytes (they are parsed inside the call) and responses as messages
    User lost = (User) service.faults().lostResponses().get(0);
    assertThat(user.getId()).isEqualTo(lost.getId());
    assertThat(Rows.countUsers(service.settings())).isEqualTo(1);
  }

  @Test
  void bulkCreateUsers_unavailable_notRetried() throws Exception {
    UserServiceClient client = client();
    service.faults().next(BULK_CREATE, Fault.loseResponse());

    UserServiceException e = catchThrowableOfType(UserServiceException.class,
        () -> client.bulkCreateUsers(List.of(newUser("bulk-lost@example.com"))));

    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(service.faults().calls(BULK_CREATE)).isEqualTo(1);
    assertThat(Rows.countUsers(service.settings())).isEqualTo(1);
  }
}
