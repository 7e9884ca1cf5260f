package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.NewUser;
import dev.userservice.user.UserValidation;
import dev.userservice.user.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns a {@link CreateUserRequest} into a {@link NewUser}: every field checked, the password hashed. */
final class CreateRequests {
  private final PasswordHasher hasher;

  CreateRequests(PasswordHasher hasher) {
    this.hasher = hasher;
  }

  /**
   * Validates and converts one request, hashing its password on the calling thread.
   *
   * @param keepRequestId whether the request id is stored for idempotent retries
   * @throws ValidationException listing every bad field
   */
  NewUser toNewUser(CreateUserRequest request, boolean keepRequestId) {
    return hashed(validated(request, keepRequestId), request.getPassword());
  }

  /**
   * Validates and converts one request, leaving the password unhashed: the user carries no hash yet.
   *
   * @throws ValidationException listing every bad field
   */
  NewUser validated(CreateUserRequest request, boolean keepRequestId) {
    List<FieldViolation> violations = new ArrayList<>();
    String email = UserValidation.email("email", request.getEmail(), violations);
    UserValidation.name("name", request.getName(), violations);
    UserValidation.password("password", request.getPassword(), violations);
    UserValidation.requestId("request_id", request.getRequestId(), violations);
    if (!violations.isEmpty()) {
      throw new ValidationException(violations);
    }
    Optional<String> requestId = keepRequestId && !request.getRequestId().isEmpty()
        ? Optional.of(request.getRequestId())
        : Optional.empty();
    return new NewUser(email, request.getName(), Optional.empty(), requestId);
  }

  /** The validated {@code user} with {@code password} hashed; unchanged when the password is empty. */
  NewUser hashed(NewUser user, String password) {
    if (password.isEmpty()) {
      return user;
    }
    return new NewUser(user.email(), user.name(), Optional.of(hasher.hash(password)), user.requestId());
  }
}
