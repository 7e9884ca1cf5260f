package dev.userservice.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The requested user does not exist. The call ended with {@code NOT_FOUND}. */
public final class NotFoundException extends UserServiceException {
  private static final long serialVersionUID = 1L;

  /** Wraps a call that ended with {@code NOT_FOUND}. */
  public NotFoundException(Status status, Metadata trailers, Throwable cause) {
    super(status, trailers, cause);
  }
}
