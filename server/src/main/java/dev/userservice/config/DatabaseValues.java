package dev.userservice.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the database is, as the database settings alone give it: what a command that only opens
 * the service's database (the {@code admin} commands) reads, from the same settings as the server.
 *
 * @param url JDBC or {@code postgres://} URL; empty selects the embedded H2 database
 * @param user database user, when not in the URL
 * @param password database password, when not in the URL
 * @param dataDir folder of the embedded database
 * @param connectionTimeout longest wait for a connection
 */
public record DatabaseValues(Optional<String> url, Optional<String> user, Optional<String> password, Path dataDir,
    Duration connectionTimeout) {

  public DatabaseValues {
    requireNonNull(url, "url");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(connectionTimeout, "connectionTimeout");
  }

  /** Like the record's own, but never shows a password. */
  @Override
  public String toString() {
    return "DatabaseValues[url=" + url.map(SettingValues::maskCredentials).orElse("(embedded)") + ", user="
        + user.orElse("") + ", password=" + (password.isPresent() ? "****" : "") + ", dataDir=" + dataDir
        + ", connectionTimeout=" + connectionTimeout + "]";
  }
}
