package dev.userservice.user.changes;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.userservice.user.User;
import dev.userservice.user.UserMessages;
import java.util.Base64;

/**
 * Writes a changed user as a notification payload and reads it back: the wire message, in
 * base64. A user's longest fields (254-character email, 200-character name) keep it far below
 * PostgreSQL's 8,000-byte payload limit.
 */
final class UserChangeCodec {
  private UserChangeCodec() {}

  static String encode(User user) {
    return Base64.getEncoder().encodeToString(UserMessages.toMessage(user).toByteArray());
  }

  /**
   * The user a payload carries.
   *
   * @throws IllegalArgumentException when the payload is not one this codec wrote
   */
  static User decode(String payload) {
    try {
      return UserMessages.fromMessage(dev.userservice.api.user.v1.User.parseFrom(Base64.getDecoder().decode(payload)));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException("not a user change payload", e);
    }
  }
}
