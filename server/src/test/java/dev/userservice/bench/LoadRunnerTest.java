package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
  private static final Context.Key<Integer> ANSWERED = Context.key("answered");

  @Test
  void run_closedLoop_eachCallStartsOutsideTheContextThePreviousAnswerRanIn() throws Exception {
    BenchOptions options = new BenchOptions("localhost:50051", "get", 1, 0, Duration.ZERO, Duration.ofSeconds(1), 10,
        10, 10, 5, Duration.ZERO, Optional.empty(), Optional.empty(), Optional.empty());
    List<Integer> seenAtStart = new CopyOnWriteArrayList<>();
    // each answer arrives in a context of its own, as a gRPC callback does, and the next call starts from it
    BenchOperation operation = outcome -> {
      Integer previous = ANSWERED.get();
      seenAtStart.add(previous == null ? 0 : previous);
      Context.current().withValue(ANSWERED, seenAtStart.size()).run(outcome::succeeded);
    };

    BenchResult result = new LoadRunner(operation, options).run();

    assertThat(seenAtStart).containsExactly(0, 0, 0, 0, 0);
    assertThat(result.operations()).isEqualTo(5);
  }

  @Test
  void run_openLoopWithEveryCallInFlight_countsMissedStartsApartFromTheServicesErrors() throws Exception {
    // 1,000 starts per second, one call allowed in flight, each answered 50 ms later
    BenchOptions options = new BenchOptions("localhost:50051", "get", 1, 1000, Duration.ZERO, Duration.ofSeconds(1),
        10, 10, 10, 0, Duration.ZERO, Optional.empty(), Optional.empty(), Optional.empty());
    ScheduledExecutorService answers = Executors.newSingleThreadScheduledExecutor();
    try {
      BenchOperation operation = outcome -> answers.schedule(outcome::succeeded, 50, TimeUnit.MILLISECONDS);

      BenchResult result = new LoadRunner(operation, options).run();

      assertThat(result.errors()).isEmpty();
      assertThat(result.operations()).isBetween(5L, 25L);
      assertThat(result.missedStarts()).isGreaterThan(500);
      assertThat(result.format())
          .contains("errors=0 missed_starts=" + result.missedStarts())
          .contains("missed:   " + result.missedStarts() + " starts");
    } finally {
      answers.shutdownNow();
    }
  }
}
