package dev.userservice.user;

/** Etags are the user's write counter in quotes, as in HTTP: {@code "3"}. */
public final class Etags {
  private Etags() {}

  public static String of(long version) {
    return "\"" + version + "\"";
  }

  /**
   * The version an etag names.
   *
   * @throws IllegalArgumentException when it is not an etag of this form
   */
  public static long version(String etag) {
    if (etag.length() < 3 || etag.charAt(0) != '"' || etag.charAt(etag.length() - 1) != '"') {
      throw new IllegalArgumentException("etag: " + etag + " (expected: a quoted version)");
    }
    return Long.parseLong(etag.substring(1, etag.length() - 1));
  }

  /** Whether {@code etag} names exactly {@code version}; a malformed etag matches nothing. */
  public static boolean matches(String etag, long version) {
    return of(version).equals(etag);
  }
}
