package dev.userservice.client;

import static java.util.Objects.requireNonNull;

import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;

/**
 * The request had invalid fields; the call ended with {@code INVALID_ARGUMENT}. The service
 * reports every bad field at once, as {@code google.rpc.BadRequest} field violations.
 */
public final class InvalidArgumentException extends UserServiceException {
  private static final long serialVersionUID = 1L;

  private final transient List<BadRequest.FieldViolation> violations;

  /** Wraps a call that ended with {@code INVALID_ARGUMENT}, with the violations from its details. */
  public InvalidArgumentException(Status status, Metadata trailers, List<BadRequest.FieldViolation> violations,
      Throwable cause) {
    super(status, trailers, cause);
    this.violations = List.copyOf(requireNonNull(violations, "violations"));
  }

  /** Each bad field (such as {@code email}) and what is wrong with it; empty when the service sent none. */
  public List<BadRequest.FieldViolation> violations() {
    return violations;
  }
}
