package dev.userservice.user;

/** An update named an etag the user no longer has. */
public final class StaleEtagException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String currentEtag;

  public StaleEtagException(String currentEtag) {
    super("etag does not match the user's current version " + currentEtag);
    this.currentEtag = currentEtag;
  }

  /** The etag the user has now. */
  public String currentEtag() {
    return currentEtag;
  }
}
