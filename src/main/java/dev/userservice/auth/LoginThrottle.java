package dev.userservice.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed logins per email in this process. After {@code maxFailures} failures within
 * {@code window}, further logins for that email are refused until the window has passed since
 * the first of them, whatever the password. Success clears the count. The table keeps at most
 * {@code capacity} emails, forgetting the least recently seen, so guessing at many addresses
 * cannot exhaust memory.
 */
public final class LoginThrottle {
  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Failures> failures;

  public LoginThrottle(int maxFailures, Duration window, int capacity, Clock clock) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: >= 1)");
    }
    this.maxFailures = maxFailures;
    this.window = requireNonNull(window, "window");
    this.clock = requireNonNull(clock, "clock");
    this.failures = new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * Refuses the attempt when the email is locked out.
   *
   * @throws TooManyAttemptsException with the time left
   */
  public synchronized void check(String email) {
    Failures entry = failures.get(email);
    if (entry == null) {
      return;
    }
    Instant now = clock.instant();
    Instant windowEnd = entry.firstFailure.plus(window);
    if (!now.isBefore(windowEnd)) {
      failures.remove(email);
      return;
    }
    if (entry.count >= maxFailures) {
      throw new TooManyAttemptsException(Duration.between(now, windowEnd));
    }
  }

  public synchronized void recordFailure(String email) {
    Instant now = clock.instant();
    Failures entry = failures.get(email);
    if (entry == null || !now.isBefore(entry.firstFailure.plus(window))) {
      failures.put(email, new Failures(now, 1));
    } else {
      failures.put(email, new Failures(entry.firstFailure, entry.count + 1));
    }
  }

  public synchronized void recordSuccess(String email) {
    failures.remove(email);
  }

  private record Failures(Instant firstFailure, int count) {}
}
