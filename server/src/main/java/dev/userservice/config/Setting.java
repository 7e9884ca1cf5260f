package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One configuration setting: its command-line flag, the environment variable it falls back
 * to, its default, what it means and, for a number, the values it accepts. A {@code null} default
 * means "not set".
 */
public record Setting(String flag, String env, String defaultValue, String description, boolean secret,
    Optional<Range> range) {

  public Setting {
    requireNonNull(flag, "flag");
    requireNonNull(env, "env");
    requireNonNull(description, "description");
    requireNonNull(range, "range");
  }

  /** The numbers a setting accepts, both ends included. */
  public record Range(long min, long max) {
    public Range {
      if (min > max) {
        throw new IllegalArgumentException("min " + min + " > max " + max);
      }
    }

    boolean contains(long value) {
      return value >= min && value <= max;
    }

    /** {@code 1..1000}, as help, README and error messages write it. */
    @Override
    public String toString() {
      return min + ".." + max;
    }
  }

  static Setting of(String flag, String env, String defaultValue, String description) {
    return new Setting(flag, env, defaultValue, description, false, Optional.empty());
  }

  static Setting secret(String flag, String env, String description) {
    return new Setting(flag, env, null, description, true, Optional.empty());
  }

  /** This setting, taking a number from {@code min} to {@code max}. */
  Setting within(long min, long max) {
    return new Setting(flag, env, defaultValue, description, secret, Optional.of(new Range(min, max)));
  }

  /** How the setting is named in messages: {@code --grpc-port (GRPC_PORT)}. */
  String displayName() {
    return "--" + flag + " (" + env + ")";
  }
}
