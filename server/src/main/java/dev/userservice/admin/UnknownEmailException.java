package dev.userservice.admin;

/** No user has the email an admin command named. */
public final class UnknownEmailException extends AdminException {
  private static final long serialVersionUID = 1L;

  public UnknownEmailException(String email) {
    super("no user has the email '" + email + "' (create it first: CreateUser needs no token)");
  }
}
