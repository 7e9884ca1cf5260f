package dev.userservice.testing;

import io.grpc.StatusRuntimeException;

/** Small helpers for calls expected to fail. */
public final class Calls {
  private Calls() {}

  /** Runs a call that must fail and returns its status exception. */
  public static StatusRuntimeException catchStatus(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the call to fail");
  }
}
