package dev.userservice.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(15), 2, clock);

  @Test
  void failuresUpToTheLimit_stillAllowed() {
    throttle.recordFailure("a");
    throttle.recordFailure("a");
    assertThatCode(() -> throttle.check("a")).doesNotThrowAnyException();
  }

  @Test
  void failuresAtTheLimit_refusedUntilTheWindowEnds() {
    for (int i = 0; i < 3; i++) {
      throttle.recordFailure("a");
    }
    assertThatThrownBy(() -> throttle.check("a")).isInstanceOf(TooManyAttemptsException.class);
    assertThatCode(() -> throttle.check("b")).doesNotThrowAnyException();

    clock.advance(Duration.ofMinutes(15));
    assertThatCode(() -> throttle.check("a")).doesNotThrowAnyException();
  }

  @Test
  void success_clearsTheCount() {
    throttle.recordFailure("a");
    throttle.recordFailure("a");
    throttle.recordSuccess("a");
    throttle.recordFailure("a");
    assertThatCode(() -> throttle.check("a")).doesNotThrowAnyException();
  }

  @Test
  void capacity_forgetsTheLeastRecentlySeenEmail() {
    for (int i = 0; i < 3; i++) {
      throttle.recordFailure("a");
    }
    throttle.recordFailure("b");
    throttle.recordFailure("c"); // capacity 2: "a" is forgotten
    assertThatCode(() -> throttle.check("a")).doesNotThrowAnyException();
  }
}
