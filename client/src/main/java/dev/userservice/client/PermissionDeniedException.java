package dev.userservice.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The caller's token is valid but does not allow this call. The call ended with {@code PERMISSION_DENIED}. */
public final class PermissionDeniedException extends UserServiceException {
  private static final long serialVersionUID = 1L;

  /** Wraps a call that ended with {@code PERMISSION_DENIED}. */
  public PermissionDeniedException(Status status, Metadata trailers, Throwable cause) {
    super(status, trailers, cause);
  }
}
