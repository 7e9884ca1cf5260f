package dev.userservice.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes log lines to standard output through a buffer, so that a busy service makes one write
 * system call for many lines instead of one per call: the buffer goes out every
 * {@link #setFlushIntervalMillis flush interval} (100 ms by default), when it is full, at a line of
 * level WARN or above (with every line before it), and when the appender stops. An INFO line
 * reaches standard output at most one interval late; a process killed outright loses the lines
 * of its last interval.
 *
 * <p>Lines go to whatever {@link System#out} is when the buffer is written.
 */
public final class BufferedConsoleAppender extends OutputStreamAppender<ILoggingEvent> {
  static final int BUFFER_BYTES = 64 * 1024;

  private long flushIntervalMillis = 100;
  private ScheduledExecutorService flusher;

  /** How long a line may wait in the buffer; from logback.xml's {@code <flushIntervalMillis>}. */
  public void setFlushIntervalMillis(long flushIntervalMillis) {
    if (flushIntervalMillis < 1) {
      throw new IllegalArgumentException("flushIntervalMillis: " + flushIntervalMillis + " (expected: >= 1)");
    }
    this.flushIntervalMillis = flushIntervalMillis;
  }

  @Override
  public void start() {
    setImmediateFlush(false);
    setOutputStream(new BufferedOutputStream(new StandardOutput(), BUFFER_BYTES));
    super.start();
    if (isStarted()) {
      flusher = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "log-flush");
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
    } catch (IOException e) {
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

  /** {@link System#out}, looked up at each write, never closed. */
  private static final class StandardOutput extends OutputStream {
    @Override
    public void write(int b) {
      System.out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      System.out.write(bytes, offset, length);
    }

    @Override
    public void flush() {
      System.out.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}
