package dev.userservice.identity;

/** The caller is known but its token does not allow the action. */
public final class PermissionDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(String message) {
    super(message);
  }
}
