package dev.userservice.client;

import io.grpc.Metadata;
import io.grpc.Status;

/** The call had no bearer token, or one the service did not accept. The call ended with {@code UNAUTHENTICATED}. */
public final class UnauthenticatedException extends UserServiceException {
  private static final long serialVersionUID = 1L;

  /** Wraps a call that ended with {@code UNAUTHENTICATED}. */
  public UnauthenticatedException(Status status, Metadata trailers, Throwable cause) {
    super(status, trailers, cause);
  }
}
