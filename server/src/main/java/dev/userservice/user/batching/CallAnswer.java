package dev.userservice.user.batching;

/**
 * How work handed off by a call ends: its result, or the failure the call reports. Called once,
 * on the thread that did the work, in the call's context.
 *
 * @param <T> the result
 */
public interface CallAnswer<T> {
  void succeeded(T result);

  void failed(RuntimeException e);
}
