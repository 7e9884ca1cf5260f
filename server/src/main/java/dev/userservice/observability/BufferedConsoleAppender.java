package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes log lines to standard output through a buffer, so that a busy service makes one write
 * system call for many lines instead of one per call: the buffer goes out every
 * {@link #setFlushIntervalMillis flush interval} (100 ms by default), when it is full, at a line of
 * level WARN or above (with every line before it), and when the appender stops. An INFO line
 * reaches standard output at most one interval late; a process killed outright loses the lines
 * of its last interval.
 *
 * <p>Lines go to whatever {@link System#out} is when the buffer is written. A second
 * {@link #start} does nothing; a failed write is reported to logback's status and the timer goes on.
 */
public final class BufferedConsoleAppender extends OutputStreamAppender<ILoggingEvent> {
  static final int BUFFER_BYTES = 64 * 1024;

  private final Supplier<OutputStream> target;
  private long flushIntervalMillis = 100;
  private ScheduledExecutorService flusher;

  /** An appender writing to {@link System#out}, as logback.xml makes it. */
  public BufferedConsoleAppender() {
    this(() -> System.out);
  }

  /** An appender writing to the stream {@code target} gives at each write. */
  BufferedConsoleAppender(Supplier<OutputStream> target) {
    this.target = requireNonNull(target, "target");
  }

  /** How long a line may wait in the buffer; from logback.xml's {@code <flushIntervalMillis>}. */
  public void setFlushIntervalMillis(long flushIntervalMillis) {
    if (flushIntervalMillis < 1) {
      throw new IllegalArgumentException("flushIntervalMillis: " + flushIntervalMillis + " (expected: >= 1)");
    }
    this.flushIntervalMillis = flushIntervalMillis;
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    setImmediateFlush(false);
    setOutputStream(new BufferedOutputStream(new UnclosedTarget(target), BUFFER_BYTES));
    super.start();
    if (isStarted()) {
      flusher = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "log-flush-" + getName());
        thread.setDaemon(true);
        return thread;
      });
      flusher.scheduleWithFixedDelay(this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  protected void subAppend(ILoggingEvent event) {
    super.subAppend(event);
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      flush();
    }
  }

  /** Writes out the lines in the buffer. */
  public void flush() {
    streamWriteLock.lock();
    try {
      OutputStream out = getOutputStream();
      if (out != null) {
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the timer keeps running: a later flush may succeed
      addError("could not write the buffered log lines", e);
    } finally {
      streamWriteLock.unlock();
    }
  }

  /** Stops the timer and writes out the buffer (closing the stream flushes it; standard output stays open). */
  @Override
  public void stop() {
    if (flusher != null) {
      flusher.shutdownNow();
      flusher = null;
    }
    super.stop();
  }

  /** The target stream, looked up at each write; closing only flushes it. */
  private static final class UnclosedTarget extends OutputStream {
    private final Supplier<OutputStream> target;

    UnclosedTarget(Supplier<OutputStream> target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      target.get().write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      target.get().write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      target.get().flush();
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
