package dev.userservice.user;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for user fields. Each check adds what is wrong to a list, so a request learns
 * about every bad field at once. Lengths count Unicode code points, not UTF-16 units.
 */
public final class UserValidation {
  /** Longest email, in code points; Login refuses longer ones before anything else. */
  public static final int EMAIL_MAX = 254;
  static final int EMAIL_LOCAL_MAX = 64;
  static final int NAME_MAX = 200;
  static final int PASSWORD_MIN = 8;
  /** Longest password, in code points; Login refuses longer ones before anything else. */
  public static final int PASSWORD_MAX = 128;
  static final int REQUEST_ID_MAX = 128;

  // local@domain: an unquoted local part of letters, digits and the RFC 5322 atext symbols
  // (dots between), and a domain of two or more letter/digit labels with inner hyphens.
  // Letters include non-ASCII ones for internationalized addresses.
  private static final Pattern EMAIL = Pattern.compile(
      "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*"
          + "@[\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?(\\.[\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?)+");

  private UserValidation() {}

  /** Checks an email; returns it lower-cased, as it is stored. */
  public static String email(String field, String value, List<FieldViolation> violations) {
    if (value.isEmpty()) {
      violations.add(new FieldViolation(field, "is required"));
      return value;
    }
    int length = codePoints(value);
    if (length > EMAIL_MAX) {
      violations.add(new FieldViolation(field, "has " + length + " characters (expected: at most " + EMAIL_MAX + ")"));
      return value;
    }
    if (!EMAIL.matcher(value).matches() || value.indexOf('@') > EMAIL_LOCAL_MAX) {
      violations.add(new FieldViolation(field, "is not a valid email address (expected: local-part@domain)"));
    }
    return value.toLowerCase(Locale.ROOT);
  }

  public static void name(String field, String value, List<FieldViolation> violations) {
    int length = codePoints(value);
    if (length < 1 || length > NAME_MAX) {
      violations.add(new FieldViolation(field, "has " + length + " characters (expected: 1.." + NAME_MAX + ")"));
    } else if (value.isBlank()) {
      violations.add(new FieldViolation(field, "is blank (expected: a visible character)"));
    } else if (hasControlCharacter(value)) {
      violations.add(new FieldViolation(field, "contains a control character"));
    }
  }

  /** An empty password means "none"; a given one must fit the length rule. */
  public static void password(String field, String value, List<FieldViolation> violations) {
    if (value.isEmpty()) {
      return;
    }
    int length = codePoints(value);
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      // never echo the password itself
      violations.add(new FieldViolation(field, "has " + length + " characters (expected: " + PASSWORD_MIN + ".."
          + PASSWORD_MAX + ")"));
    }
  }

  public static void requestId(String field, String value, List<FieldViolation> violations) {
    int length = codePoints(value);
    if (length > REQUEST_ID_MAX) {
      violations.add(new FieldViolation(field, "has " + length + " characters (expected: at most " + REQUEST_ID_MAX + ")"));
    } else if (hasControlCharacter(value)) {
      violations.add(new FieldViolation(field, "contains a control character"));
    }
  }

  /** The length of {@code value} in code points, as every limit here counts it. */
  public static int codePoints(String value) {
    return value.codePointCount(0, value.length());
  }

  /** Whether {@code value} holds a control character (NUL, line breaks, ...). */
  public static boolean hasControlCharacter(String value) {
    // char by char: every control character is in the Basic Multilingual Plane, and the halves of
    // a surrogate pair are never one
    for (int i = 0; i < value.length(); i++) {
      if (Character.getType(value.charAt(i)) == Character.CONTROL) {
        return true;
      }
    }
    return false;
  }
}
