package dev.userservice.user;

/** One bad field of a request: its name and what is wrong with it. */
public record FieldViolation(String field, String description) {
  /** Characters of a caller's value a description repeats at most. */
  static final int MAX_ECHOED_CHARS = 64;

  /**
   * The caller's value as a description may repeat it: cut after {@link #MAX_ECHOED_CHARS}
   * characters, so that an error stays small whatever the request held.
   */
  public static String echo(String value) {
    int length = value.codePointCount(0, value.length());
    if (length <= MAX_ECHOED_CHARS) {
      return value;
    }
    return value.substring(0, value.offsetByCodePoints(0, MAX_ECHOED_CHARS)) + "... (" + length + " characters)";
  }

  @Override
  public String toString() {
    return field + ": " + description;
  }
}
