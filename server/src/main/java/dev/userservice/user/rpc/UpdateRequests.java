package dev.userservice.user.rpc;

import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.FieldViolation;
import dev.userservice.user.Roles;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserValidation;
import dev.userservice.user.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@link UserUpdateRequest} as a partial update (AIP-134): the paths of its
 * {@code update_mask}, or, without a mask, every field that is set.
 */
final class UpdateRequests {
  static final Set<String> UPDATABLE = Set.of("name", "email", "status", "roles");

  private UpdateRequests() {}

  /**
   * The changes the request asks for.
   *
   * @throws ValidationException listing every bad field or mask path
   */
  static UserChanges toChanges(UserUpdateRequest request) {
    List<FieldViolation> violations = new ArrayList<>();
    Set<String> paths = paths(request, violations);
    Optional<String> email = Optional.empty();
    Optional<String> name = Optional.empty();
    Optional<AccountStatus> status = Optional.empty();
    if (paths.contains("email")) {
      email = Optional.of(UserValidation.email("email", request.getEmail(), violations));
    }
    if (paths.contains("name")) {
      UserValidation.name("name", request.getName(), violations);
      name = Optional.of(request.getName());
    }
    if (paths.contains("status")) {
      status = status(request, violations);
    }
    Optional<Set<String>> roles = Optional.empty();
    if (paths.contains("roles")) {
      roles = Optional.of(Roles.validate("roles", request.getRolesList(), violations));
    }
    if (!violations.isEmpty()) {
      throw new ValidationException(violations);
    }
    Optional<String> etag = request.getEtag().isEmpty() ? Optional.empty() : Optional.of(request.getEtag());
    return new UserChanges(email, name, status, roles, etag);
  }

  private static Set<String> paths(UserUpdateRequest request, List<FieldViolation> violations) {
    Set<String> paths = new LinkedHashSet<>();
    if (request.hasUpdateMask()) {
      for (String path : request.getUpdateMask().getPathsList()) {
        if (UPDATABLE.contains(path)) {
          paths.add(path);
        } else {
          violations.add(new FieldViolation("update_mask", "unknown or read-only path '"
              + FieldViolation.echo(path) + "' (expected: one of email, name, status, roles)"));
        }
      }
      return paths;
    }
    if (!request.getName().isEmpty()) {
      paths.add("name");
    }
    if (!request.getEmail().isEmpty()) {
      paths.add("email");
    }
    if (request.getStatus() != UserStatus.USER_STATUS_UNSPECIFIED) {
      paths.add("status");
    }
    if (request.getRolesCount() > 0) {
      paths.add("roles");
    }
    return paths;
  }

  private static Optional<AccountStatus> status(UserUpdateRequest request, List<FieldViolation> violations) {
    return switch (request.getStatus()) {
      case USER_STATUS_ACTIVE -> Optional.of(AccountStatus.ACTIVE);
      case USER_STATUS_INACTIVE -> Optional.of(AccountStatus.INACTIVE);
      default -> {
        // a number this contract does not define reads as UNRECOGNIZED: name the number instead
        String given = request.getStatus() == UserStatus.UNRECOGNIZED
            ? String.valueOf(request.getStatusValue()) : request.getStatus().name();
        violations.add(new FieldViolation("status", "is " + given
            + " (expected: USER_STATUS_ACTIVE or USER_STATUS_INACTIVE)"));
        yield Optional.empty();
      }
    };
  }
}
