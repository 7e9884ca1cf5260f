package dev.userservice.user;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes time-ordered UUIDs (version 7, RFC 9562) and parses ids from requests.
 *
 * <p>Ids from one process sort in creation order: within one millisecond the 12-bit
 * {@code rand_a} field is a counter (the RFC's method 1), and when it overflows the
 * timestamp moves on by one. The other 62 bits are random.
 */
public final class UserIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int COUNTER_MAX = 0xFFF;

  private static long lastMillis;
  private static int counter;

  private UserIds() {}

  /** A new version 7 UUID, greater than every one this process made before. */
  public static UUID next() {
    long millis;
    int sequence;
    synchronized (UserIds.class) {
      long now = System.currentTimeMillis();
      if (now > lastMillis) {
        lastMillis = now;
        counter = RANDOM.nextInt(COUNTER_MAX / 2); // leave room to count up within the millisecond
      } else if (counter < COUNTER_MAX) {
        counter++;
      } else {
        lastMillis++;
        counter = 0;
      }
      millis = lastMillis;
      sequence = counter;
    }
    long high = (millis << 16) | 0x7000L | sequence;
    long low = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }

  /** The id in canonical form, or empty when {@code text} is not a UUID. */
  public static Optional<UUID> parse(String text) {
    if (text == null || text.length() != 36) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
