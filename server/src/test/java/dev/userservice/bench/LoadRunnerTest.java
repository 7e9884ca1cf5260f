package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
