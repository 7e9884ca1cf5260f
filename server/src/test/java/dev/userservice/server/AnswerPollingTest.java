package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.channel.SelectStrategy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When an event loop polls instead of sleeping: only while answers are awaited, and not past its limit. */
class AnswerPollingTest {
  private final AtomicInteger polls = new AtomicInteger();
  private int ready;

  private int strategy(AnswerPolling polling, boolean hasTasks) throws Exception {
    return polling.calculateStrategy(() -> {
      polls.incrementAndGet();
      return ready;
    }, hasTasks);
  }

  /** A polling whose loop has run once, with a task, and now awaits one answer. */
  private AnswerPolling awaitingOne(Duration maxPoll) throws Exception {
    AnswerPolling polling = new AnswerPolling(maxPoll);
    strategy(polling, true);
    polling.answerAwaited();
    return polling;
  }

  @Test
  void nothingAwaited_sleepsAsNettysDefault() throws Exception {
    AnswerPolling polling = new AnswerPolling(Duration.ofSeconds(1));

    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.SELECT);
    assertThat(polls).hasValue(0);
    ready = 2;
    assertThat(strategy(polling, true)).isEqualTo(2);
  }

  @Test
  void answerAwaited_pollsWhileNothingIsReady_thenHandsOnWhatIs() throws Exception {
    AnswerPolling polling = awaitingOne(Duration.ofSeconds(1));

    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.CONTINUE);
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.CONTINUE);
    ready = 3;
    assertThat(strategy(polling, false)).isEqualTo(3);
    assertThat(polls).hasValue(4);
  }

  @Test
  void answersArrived_sleepsAgain() throws Exception {
    AnswerPolling polling = awaitingOne(Duration.ofSeconds(1));
    polling.answerAwaited();
    polling.answersArrived(1);
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.CONTINUE);

    polling.answersArrived(1);
    assertThat(polling.awaited()).isZero();
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void awaitedPastTheLimitSinceTheLastEvent_sleeps() throws Exception {
    AnswerPolling polling = awaitingOne(Duration.ofMillis(2));
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.CONTINUE);

    Thread.sleep(20);
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.SELECT);
    // a task is an event: polling resumes
    assertThat(strategy(polling, true)).isZero();
    assertThat(strategy(polling, false)).isEqualTo(SelectStrategy.CONTINUE);
  }

  @Test
  void isCurrent_onTheThreadThatRunsIt_only() throws Exception {
    AnswerPolling polling = new AnswerPolling(Duration.ofMillis(1));
    assertThat(polling.isCurrent()).isFalse();

    strategy(polling, false);

    assertThat(polling.isCurrent()).isTrue();
    Thread other = new Thread(() -> assertThat(polling.isCurrent()).isFalse());
    AtomicInteger failures = new AtomicInteger();
    other.setUncaughtExceptionHandler((thread, e) -> failures.incrementAndGet());
    other.start();
    other.join();
    assertThat(failures).hasValue(0);
  }

  @Test
  void limitBelowAMicrosecond_isRefused() {
    assertThatThrownBy(() -> new AnswerPolling(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
