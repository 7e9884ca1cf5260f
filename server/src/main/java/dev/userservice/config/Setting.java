package dev.userservice.config;

/**
 * One configuration setting: its command-line flag, the environment variable it falls back
 * to, its default and what it means. A {@code null} default means "not set".
 */
public record Setting(String flag, String env, String defaultValue, String description, boolean secret) {

  static Setting of(String flag, String env, String defaultValue, String description) {
    return new Setting(flag, env, defaultValue, description, false);
  }

  static Setting secret(String flag, String env, String description) {
    return new Setting(flag, env, null, description, true);
  }

  /** How the setting is named in messages: {@code --grpc-port (GRPC_PORT)}. */
  String displayName() {
    return "--" + flag + " (" + env + ")";
  }
}
