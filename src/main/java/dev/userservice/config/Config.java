package dev.userservice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service's whole configuration, immutable and validated when it is loaded: flags first,
 * then environment variables, then defaults.
 *
 * @param grpcPort port of the gRPC server (0 picks a free one)
 * @param databaseUrl JDBC or {@code postgres://} URL; empty selects the embedded H2 database
 * @param databaseUser database user, when not in the URL
 * @param databasePassword database password, when not in the URL
 * @param dataDir folder of the embedded database
 * @param poolSize most connections the pool opens
 * @param connectionTimeout longest wait for a pooled connection before UNAVAILABLE
 * @param healthInterval time between two checks of the database for the health service
 * @param shutdownGrace time calls in flight get to finish at shutdown
 */
public record Config(
    int grpcPort,
    Optional<String> databaseUrl,
    Optional<String> databaseUser,
    Optional<String> databasePassword,
    Path dataDir,
    int poolSize,
    Duration connectionTimeout,
    Duration healthInterval,
    Duration shutdownGrace) {

  static final Setting GRPC_PORT = Setting.of("grpc-port", "GRPC_PORT", "50051", "gRPC port (0 picks a free one)");
  static final Setting DATABASE_URL = Setting.of("database-url", "DATABASE_URL", null,
      "jdbc:postgresql://..., postgres://user:pass@host/db or jdbc:h2:...; unset uses H2 under --data-dir");
  static final Setting DATABASE_USER = Setting.of("database-user", "DATABASE_USER", null, "database user");
  static final Setting DATABASE_PASSWORD = Setting.secret("database-password", "DATABASE_PASSWORD", "database password");
  static final Setting DATA_DIR = Setting.of("data-dir", "DATA_DIR", "./data", "folder of the embedded H2 database");
  static final Setting POOL_SIZE = Setting.of("db-pool-size", "DB_POOL_SIZE", "10", "most pooled database connections");
  static final Setting CONNECTION_TIMEOUT = Setting.of("db-connection-timeout-ms", "DB_CONNECTION_TIMEOUT_MS", "2000",
      "longest wait for a pooled connection, then UNAVAILABLE");
  static final Setting HEALTH_INTERVAL = Setting.of("health-interval-ms", "HEALTH_INTERVAL_MS", "2000",
      "time between database checks behind the health service");
  static final Setting SHUTDOWN_GRACE = Setting.of("shutdown-grace-ms", "SHUTDOWN_GRACE_MS", "10000",
      "time calls in flight get to finish at shutdown");

  /** Every setting, in the order {@code --help} lists them. */
  public static final List<Setting> SETTINGS = List.of(GRPC_PORT, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD,
      DATA_DIR, POOL_SIZE, CONNECTION_TIMEOUT, HEALTH_INTERVAL, SHUTDOWN_GRACE);

  /**
   * Loads the configuration.
   *
   * @throws ConfigException naming the setting, its value and what was expected
   */
  public static Config load(String[] args, Map<String, String> env) {
    return loadDescribed(args, env).config();
  }

  /** Loads the configuration along with its printable, secret-free description. */
  public static Described loadDescribed(String[] args, Map<String, String> env) {
    SettingValues values = new SettingValues(SETTINGS, args, env);
    Config config = new Config(
        values.integer(GRPC_PORT, 0, 65535),
        Optional.ofNullable(values.string(DATABASE_URL)),
        Optional.ofNullable(values.string(DATABASE_USER)),
        Optional.ofNullable(values.string(DATABASE_PASSWORD)),
        Path.of(values.string(DATA_DIR)),
        values.integer(POOL_SIZE, 1, 1000),
        values.millis(CONNECTION_TIMEOUT, 250, 600_000),
        values.millis(HEALTH_INTERVAL, 100, 600_000),
        values.millis(SHUTDOWN_GRACE, 0, 3_600_000));
    return new Described(config, values.describe());
  }

  /** Text for {@code --help}: every flag, its variable, default and meaning. */
  public static String help() {
    StringBuilder out = new StringBuilder("Usage: user-service [--flag=value ...]\n\nSettings (flag, environment variable, default):\n");
    for (Setting s : SETTINGS) {
      out.append(String.format("  --%-26s %-26s %-10s %s%n", s.flag(), s.env(),
          s.defaultValue() == null ? "" : s.defaultValue(), s.description()));
    }
    return out.toString();
  }

  /** Like the record's own, but never shows the database password. */
  @Override
  public String toString() {
    return "Config[grpcPort=" + grpcPort + ", databaseUrl=" + databaseUrl.map(u -> u.replaceAll("(://[^:/@]+:)[^@]*@", "$1****@")).orElse("(embedded)")
        + ", databaseUser=" + databaseUser.orElse("") + ", databasePassword=" + (databasePassword.isPresent() ? "****" : "")
        + ", dataDir=" + dataDir + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout
        + ", healthInterval=" + healthInterval + ", shutdownGrace=" + shutdownGrace + "]";
  }

  /** A loaded configuration and each setting's value as it may be logged. */
  public record Described(Config config, Map<String, String> settings) {}
}
