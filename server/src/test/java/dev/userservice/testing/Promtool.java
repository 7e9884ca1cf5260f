package dev.userservice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own checker, {@code promtool check metrics}, over scraped text: it rejects what
 * Prometheus would read wrongly or what breaks its naming rules (camelCase labels, a counter
 * without {@code _total}, a gauge ending in {@code _count}, units that are not base units, a
 * metric without help). promtool must be installed (CI installs it): without it the check fails.
 */
public final class Promtool {
  private Promtool() {}

  /** Asserts that promtool finds no problem in this exposition text. */
  public static void assertChecksClean(String exposition) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool is not installed (Debian package prometheus): " + e.getMessage(), e);
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(process.exitValue()).as("promtool check metrics found:\n%s", output).isZero();
  }
}
