package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lines reach standard output by the flush interval, at once from WARN up, and when the appender stops. */
class BufferedConsoleAppenderTest {
  private static final long HOUR_MILLIS = 3_600_000;

  private final LoggerContext context = new LoggerContext();
  private final Target written = new Target();
  private final BufferedConsoleAppender appender = new BufferedConsoleAppender(() -> written);

  @BeforeEach
  void setUp() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    appender.setName("buffered");
  }

  @AfterEach
  void stop() {
    appender.stop();
    context.stop();
  }

  @Test
  void infoLine_isHeldUntilTheInterval_thenWritten() {
    start(100);

    log(Level.INFO, "first");

    await().atMost(Duration.ofSeconds(5)).until(() -> output().equals("INFO first\n"));
  }

  @Test
  void infoLine_withALongInterval_staysInTheBufferUntilStop() {
    start(HOUR_MILLIS);

    log(Level.INFO, "held");
    assertThat(output()).isEmpty();

    appender.stop();
    assertThat(output()).isEqualTo("INFO held\n");
  }

  @Test
  void warnLine_isWrittenAtOnce_withEveryLineBeforeIt() {
    start(HOUR_MILLIS);

    log(Level.INFO, "before");
    log(Level.WARN, "warned");

    assertThat(output()).isEqualTo("INFO before\nWARN warned\n");
  }

  @Test
  void stop_flushesButNeverClosesTheTarget() {
    start(HOUR_MILLIS);
    log(Level.INFO, "last");

    appender.stop();

    assertThat(output()).isEqualTo("INFO last\n");
    assertThat(written.closed).as("standard output closed").isFalse();
  }

  @Test
  void startTwice_oneFlushTimer_noneAfterStop() {
    start(HOUR_MILLIS);
    appender.start();

    assertThat(flushThreads()).isEqualTo(1);
    appender.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> flushThreads() == 0);
  }

  @Test
  void flushInterval_belowOneMillisecond_refused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> appender.setFlushIntervalMillis(0))
        .withMessageContaining("flushIntervalMillis: 0");
  }

  private void start(long flushIntervalMillis) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %msg%n");
    encoder.start();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setFlushIntervalMillis(flushIntervalMillis);
    appender.start();
  }

  private void log(Level level, String message) {
    Logger logger = context.getLogger("test");
    logger.setAdditive(false);
    if (logger.getAppender(appender.getName()) == null) {
      logger.addAppender(appender);
    }
    switch (level.toInt()) {
      case Level.ERROR_INT -> logger.error(message);
      case Level.WARN_INT -> logger.warn(message);
      default -> logger.info(message);
    }
  }

  private String output() {
    synchronized (written) {
      return written.toString(StandardCharsets.UTF_8);
    }
  }

  private static long flushThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.isAlive() && thread.getName().equals("log-flush-buffered"))
        .count();
  }

  /** Standard output's stand-in, which remembers being closed. */
  private static final class Target extends ByteArrayOutputStream {
    private volatile boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }
}
