package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.Rows;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many CreateUser calls at once for a few emails, in every order, so that concurrent batches
 * share emails: each email is created once, every other call is ALREADY_EXISTS, none INTERNAL.
 */
class ConcurrentCreateUserTest {
  private static final int CALLERS = 32;

  @RegisterExtension
  final InProcessService h2 = InProcessService.onH2();
  @RegisterExtension
  final InProcessService postgres = InProcessService.onPostgres();

  private final ExecutorService callers = Executors.newFixedThreadPool(CALLERS);

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void createUser_concurrentBatchesSharingEmails_eachCreatedOnceNoneInternal(String database) throws Exception {
    InProcessService service = database.equals("postgres") ? postgres : h2;
    service.channel(); // started once, before the callers
    Random random = new Random(7);
    Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
    int emails = 0;
    for (int round = 0; round < 5; round++) {
      List<String> shared = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        shared.add("shared-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com");
      }
      emails += shared.size();
      List<CompletableFuture<Status.Code>> calls = new ArrayList<>();
      for (int caller = 0; caller < CALLERS; caller++) {
        List<String> order = new ArrayList<>(shared);
        Collections.shuffle(order, random);
        String email = order.get(0);
        calls.add(CompletableFuture.supplyAsync(() -> create(service, email), callers));
      }
      for (CompletableFuture<Status.Code> call : calls) {
        outcomes.merge(call.get(30, TimeUnit.SECONDS), 1, Integer::sum);
      }
    }

    assertThat(outcomes.keySet()).as("%s", outcomes).isSubsetOf(Status.Code.OK, Status.Code.ALREADY_EXISTS);
    assertThat(Rows.countUsers(service.settings())).isEqualTo(outcomes.get(Status.Code.OK)).isLessThanOrEqualTo(emails);
  }

  private static Status.Code create(InProcessService service, String email) {
    try {
      service.blocking().createUser(CreateUserRequest.newBuilder().setEmail(email).setName("Shared").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
