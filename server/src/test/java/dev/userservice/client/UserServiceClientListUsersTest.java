package dev.userservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.FaultInjector.Fault;
import dev.userservice.testing.FaultInjectingService;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** listUsers against the real service whose stream fails, stalls or is cut short on the way. */
class UserServiceClientListUsersTest {
  private static final String LIST_USERS = UserServiceGrpc.getListUsersMethod().getFullMethodName();
  private static final Status UNAVAILABLE = Status.UNAVAILABLE.withDescription("server went away (injected)");

  @RegisterExtension
  final FaultInjectingService service = FaultInjectingService.onLoopback();

  private UserServiceClient client(int listReopens) {
    return service.closeAfter(UserServiceClient.builder(service.target())
        .bearerTokens(TestTokens::admin)
        .listReopens(listReopens)
        .build());
  }

  /** Creates users and returns their ids in id (creation) order. */
  private static List<String> createUsers(UserServiceClient client, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(client.createUser(CreateUserRequest.newBuilder()
          .setEmail("list" + i + "@example.com").setName("User " + i).build()).getId());
    }
    return ids.stream().sorted().collect(Collectors.toList());
  }

  private static List<String> ids(Stream<User> users) {
    try (users) {
      return users.map(User::getId).collect(Collectors.toList());
    }
  }

  @Test
  void listUsers_noFault_everyUserInIdOrder() {
    UserServiceClient client = client(5);
    List<String> created = createUsers(client, 12);

    assertThat(ids(client.listUsers(5))).containsExactlyElementsOf(created);
    assertThat(service.faults().calls(LIST_USERS)).isEqualTo(1);
  }

  @Test
  void listUsers_serverDiesMidStreamTwice_resumesWithoutDuplicateOrGap() {
    UserServiceClient client = client(5);
    List<String> created = createUsers(client, 25);
    service.faults()
        .next(LIST_USERS, Fault.cutStreamAfter(7, UNAVAILABLE))
        .next(LIST_USERS, Fault.cutStreamAfter(7, UNAVAILABLE));

    List<String> listed = ids(client.listUsers(5));

    assertThat(listed).containsExactlyElementsOf(created);
    assertThat(service.faults().calls(LIST_USERS)).isEqualTo(3);
  }

  @Test
  void listUsers_serverDiesAfterEveryUser_givesUpAfterReopenLimit() {
    UserServiceClient client = client(3);
    List<String> created = createUsers(client, 10);
    service.faults().always(LIST_USERS, Fault.cutStreamAfter(1, UNAVAILABLE));

    List<String> delivered = new ArrayList<>();
    UserServiceException e;
    try (Stream<User> users = client.listUsers(5)) {
      Iterator<User> it = users.iterator();
      e = catchThrowableOfType(UserServiceException.class, () -> it.forEachRemaining(u -> delivered.add(u.getId())));
    }

    assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(delivered).containsExactlyElementsOf(created.subList(0, 4));
    assertThat(service.faults().calls(LIST_USERS)).isEqualTo(4);
  }

  @Test
  void listUsers_unavailableBeforeFirstUser_retriedByPolicyNotReopened() {
    UserServiceClient client = client(5);
    List<String> created = createUsers(client, 3);
    service.faults().next(LIST_USERS, Fault.fail(UNAVAILABLE));

    assertThat(ids(client.listUsers(0))).containsExactlyElementsOf(created);
    assertThat(service.faults().calls(LIST_USERS)).isEqualTo(2);
  }

  @Test
  void listUsers_streamStallsPastDeadline_deadlineExceededCoversWholeStream() {
    UserServiceClient client = client(5);
    List<String> created = createUsers(client, 10);
    service.faults().always(LIST_USERS, Fault.stallStreamAfter(4));

    List<String> delivered = new ArrayList<>();
    long start = System.nanoTime();
    UserServiceException e;
    try (Stream<User> users = client.listUsers(5, Duration.ofMillis(500))) {
      Iterator<User> it = users.iterator();
      e = catchThrowableOfType(UserServiceException.class, () -> it.forEachRemaining(u -> delivered.add(u.getId())));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(e.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofMillis(1500));
    assertThat(delivered).containsExactlyElementsOf(created.subList(0, 4));
    assertThat(service.faults().calls(LIST_USERS)).as("a deadline is not reopened").isEqualTo(1);
  }

  @Test
  void listUsers_negativePageSize_rejected() {
    UserServiceClient client = client(5);

    IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> client.listUsers(-1));

    assertThat(e).hasMessageContaining("pageSize: -1");
  }
}
