package dev.userservice.observability;

import io.grpc.Context;

/**
 * A per-call slot for the caller's subject. The logging interceptor runs before the token is
 * verified, so an empty slot is in the call's {@link Context} (from {@link CallValues}, or the
 * logging interceptor where the server has no such factory); the auth interceptor fills
 * it once the token is good, and the call's log line names the subject.
 */
public final class CallSubject {
  static final Context.Key<CallSubject> KEY = Context.key("call-subject");

  private volatile String subject;

  CallSubject() {}

  /** Records who makes the current call; does nothing for a call without a slot. */
  public static void record(String subject) {
    CallSubject slot = KEY.get();
    if (slot != null && subject != null) {
      slot.subject = subject;
    }
  }

  /** The recorded subject, or null when the call carried no valid token. */
  String get() {
    return subject;
  }
}
