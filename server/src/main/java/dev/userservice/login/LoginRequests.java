package dev.userservice.login;

import static dev.userservice.user.UserValidation.EMAIL_MAX;
import static dev.userservice.user.UserValidation.PASSWORD_MAX;
import static dev.userservice.user.UserValidation.codePoints;
import static dev.userservice.user.UserValidation.hasControlCharacter;

import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The size and character rules a Login request meets before anything of it is looked up, hashed
 * or kept: the limits CreateUser applies, so every stored account can still log in.
 */
final class LoginRequests {
  private LoginRequests() {}

  /**
   * The request's email as accounts are keyed: lower-cased.
   *
   * @throws ValidationException listing every bad field; never echoing a value
   */
  static String email(LoginRequest request) {
    List<FieldViolation> violations = new ArrayList<>();
    String email = request.getEmail();
    if (email.isEmpty()) {
      violations.add(new FieldViolation("email", "is required"));
    } else if (codePoints(email) > EMAIL_MAX) {
      violations.add(new FieldViolation("email", "has " + codePoints(email) + " characters (expected: at most "
          + EMAIL_MAX + ")"));
    } else if (hasControlCharacter(email)) {
      violations.add(new FieldViolation("email", "contains a control character (expected: an email address)"));
    }
    String password = request.getPassword();
    if (password.isEmpty()) {
      violations.add(new FieldViolation("password", "is required"));
    } else if (codePoints(password) > PASSWORD_MAX) {
      violations.add(new FieldViolation("password", "has " + codePoints(password) + " characters (expected: at most "
          + PASSWORD_MAX + ")"));
    }
    if (!violations.isEmpty()) {
      throw new ValidationException(violations);
    }
    return email.toLowerCase(Locale.ROOT);
  }
}
