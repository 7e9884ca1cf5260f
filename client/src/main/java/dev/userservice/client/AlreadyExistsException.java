package dev.userservice.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The user to create conflicts with an existing one, usually by its email. The call ended with {@code ALREADY_EXISTS}. */
public final class AlreadyExistsException extends UserServiceException {
  private static final long serialVersionUID = 1L;

  /** Wraps a call that ended with {@code ALREADY_EXISTS}. */
  public AlreadyExistsException(Status status, Metadata trailers, Throwable cause) {
    super(status, trailers, cause);
  }
}
