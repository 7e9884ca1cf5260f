package dev.userservice.user.jdbc;

import dev.userservice.user.NewUser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint stored with a CreateUser's request id: a SHA-256 of the email and name it asked
 * for. A later create with the same request id is a retry only when its fingerprint is equal
 * (and its password verifies against the stored hash).
 */
final class RequestFingerprints {
  private RequestFingerprints() {}

  /** 64 hex digits; the email's length comes first, so no two (email, name) pairs share an input. */
  static String of(NewUser user) {
    String input = user.email().length() + ":" + user.email() + user.name();
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(input.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
