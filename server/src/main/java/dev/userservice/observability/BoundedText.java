package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * Cuts text to a number of UTF-8 bytes at a character boundary. Status descriptions and details
 * travel in the trailers, which a default client accepts only up to 8 KiB, and a description is
 * percent-encoded there, up to three times its UTF-8 size.
 */
public final class BoundedText {
  private static final String CUT = "...";

  private BoundedText() {}

  /** {@code text} if it fits in {@code maxBytes} of UTF-8, else its start and "...", within them. */
  public static String truncate(String text, int maxBytes) {
    requireNonNull(text, "text");
    if (maxBytes < CUT.length()) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= " + CUT.length() + ")");
    }
    if (text.length() * 3 <= maxBytes || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
      return text;
    }
    int budget = maxBytes - CUT.length();
    int used = 0;
    int end = 0;
    while (end < text.length()) {
      int codePoint = text.codePointAt(end);
      int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (used + size > budget) {
        break;
      }
      used += size;
      end += Character.charCount(codePoint);
    }
    return text.substring(0, end) + CUT;
  }
}
