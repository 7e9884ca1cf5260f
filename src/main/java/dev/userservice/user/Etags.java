package dev.userservice.user;

/** Etags are the user's write counter in quotes, as in HTTP: {@code "3"}. */
final class Etags {
  private Etags() {}

  static String of(long version) {
    return "\"" + version + "\"";
  }

  /** Whether {@code etag} names exactly {@code version}; a malformed etag matches nothing. */
  static boolean matches(String etag, long version) {
    return of(version).equals(etag);
  }
}
