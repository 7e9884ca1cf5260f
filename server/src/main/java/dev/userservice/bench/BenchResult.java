package dev.userservice.bench;

import io.grpc.Status;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a bench run measured, printed for people and as one RESULT line for scripts.
 *
 * @param errors the calls the service ended with each status other than OK
 * @param missedStarts with {@code --rate}: starts that came while as many calls as allowed in
 *     flight were still running, so the bench made no call for them (a limit of the bench, not an
 *     answer of the service); 0 in a closed loop
 */
record BenchResult(BenchOptions options, Duration elapsed, long operations, long messages, Histogram latencyMicros,
    Map<Status.Code, Long> errors, long missedStarts) {

  double operationsPerSecond() {
    return operations / seconds();
  }

  double messagesPerSecond() {
    return messages / seconds();
  }

  private double seconds() {
    return elapsed.toNanos() / 1e9;
  }

  private double millis(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  String format() {
    String mode = options.rate() > 0 ? "rate=" + options.rate() + "/s (max in flight " + options.concurrency() + ")"
        : "concurrency=" + options.concurrency();
    String errorText = errors.isEmpty() ? "none" : new TreeMap<>(errors).toString();
    return String.format(Locale.ROOT, """
        rpc=%s %s measured=%ds
          calls:    %.0f/s (%d calls)
          messages: %.0f/s (%d messages)
          latency:  p50=%.3f ms p90=%.3f ms p99=%.3f ms max=%.3f ms
          errors:   %s%s
        RESULT rpc=%s calls_per_s=%.1f messages_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d \
        missed_starts=%d
        """,
        options.rpc(), mode, elapsed.toSeconds(),
        operationsPerSecond(), operations, messagesPerSecond(), messages,
        millis(50), millis(90), millis(99), latencyMicros.getMaxValue() / 1000.0,
        errorText, missedText(),
        options.rpc(), operationsPerSecond(), messagesPerSecond(), millis(50), millis(90), millis(99),
        latencyMicros.getMaxValue() / 1000.0, errors.values().stream().mapToLong(Long::longValue).sum(), missedStarts);
  }

  private String missedText() {
    if (options.rate() == 0) {
      return "";
    }
    return String.format(Locale.ROOT, "%n  missed:   %d starts (all %d calls allowed in flight were still running)",
        missedStarts, options.concurrency());
  }
}
