package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  private static BenchOptions options(String rpc, int concurrency, int rate, int calls, Duration duration) {
    return new BenchOptions("localhost:50051", rpc, concurrency, rate, Duration.ofSeconds(5), duration, 10, 10, 10,
        calls, Duration.ZERO, Optional.empty(), Optional.empty(), Optional.empty());
  }

  @Test
  void new_unknownRpc_rejectedListingTheKnownOnes() {
    assertThatThrownBy(() -> options("delete", 1, 0, 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--rpc: 'delete' (expected: one of " + BenchOptions.RPCS + ")");
  }

  @Test
  void new_outOfRange_rejectedNamingFlagValueAndBound() {
    assertThatThrownBy(() -> options("get", 0, 0, 0, Duration.ofSeconds(1)))
        .hasMessage("--concurrency: 0 (expected: >= 1)");
    assertThatThrownBy(() -> options("get", 1, -1, 0, Duration.ofSeconds(1)))
        .hasMessage("--rate: -1 (expected: >= 0)");
    assertThatThrownBy(() -> options("get", 1, 0, 0, Duration.ZERO))
        .hasMessage("--duration-seconds: 0 (expected: >= 1)");
  }

  @Test
  void new_callsWithRate_rejected() {
    assertThatThrownBy(() -> options("get", 1, 5, 3, Duration.ofSeconds(1)))
        .hasMessage("--calls and --rate: choose one (--calls runs a closed loop)");
  }
}
