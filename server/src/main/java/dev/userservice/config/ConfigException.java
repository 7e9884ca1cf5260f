package dev.userservice.config;

/** A setting was given a value the service cannot start with. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
