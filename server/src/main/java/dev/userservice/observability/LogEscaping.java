package dev.userservice.observability;

/**
 * Escapes a value for the text log, so that whatever a caller put in it stays inside its own
 * line and its own quotes: backslash, double quote, line breaks and every other control or line
 * separator character are written as escape sequences.
 */
final class LogEscaping {
  private LogEscaping() {}

  /** {@code value} with backslash, quote, CR, LF and TAB escaped as in Java, other controls as hex escapes. */
  static String escape(String value) {
    if (value == null) {
      return "null";
    }
    int first = firstToEscape(value);
    if (first < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, first);
    for (int i = first; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (needsEscape(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static int firstToEscape(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' || c == '"' || needsEscape(c)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean needsEscape(char c) {
    // C0 and C1 controls, DEL, and the Unicode line and paragraph separators
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
