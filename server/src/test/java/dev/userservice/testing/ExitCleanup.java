package dev.userservice.testing;

import static java.util.Objects.requireNonNull;

/**
 * Cleanup that runs when a test closes it or, if the JVM exits first, from a shutdown hook: for
 * servers and processes a test starts that must not outlive it.
 */
final class ExitCleanup implements AutoCloseable {
  private final Runnable cleanup;
  private final Thread hook;

  /** Registers {@code cleanup} to run at exit, in a thread of this name, until {@link #close()}. */
  ExitCleanup(String name, Runnable cleanup) {
    this.cleanup = requireNonNull(cleanup, "cleanup");
    this.hook = new Thread(cleanup, name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Runs the cleanup now and takes it off the exit's list. */
  @Override
  public void close() {
    cleanup.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs the cleanup itself
    }
  }
}
