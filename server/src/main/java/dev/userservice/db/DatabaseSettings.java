package dev.userservice.db;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the database is and how to pool connections to it. Built from the service's
 * configuration: a JDBC URL, a {@code postgres://user:password@host:port/db} URL, or none,
 * which selects the embedded H2 database in PostgreSQL mode under the data folder.
 *
 * @param jdbcUrl the JDBC URL
 * @param user user name, if any
 * @param password password, if any
 * @param schema schema to use and migrate instead of the connection's default, if any
 * @param poolSize most pooled connections
 * @param connectionTimeout longest wait for a pooled connection
 */
public record DatabaseSettings(
    String jdbcUrl,
    Optional<String> user,
    Optional<String> password,
    Optional<String> schema,
    int poolSize,
    Duration connectionTimeout) {

  // TRACE_LEVEL_FILE=0: H2 would otherwise write failed statements' messages, which quote the
  // values, to a users.trace.db file beside the data; the service logs its failures itself.
  // LOCK_TIMEOUT: H2 has no deadlock detection for row locks, so a lock cycle ends after this wait
  private static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
      + ";TRACE_LEVEL_FILE=0;LOCK_TIMEOUT=2000";

  public DatabaseSettings {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    requireNonNull(schema, "schema");
    requireNonNull(connectionTimeout, "connectionTimeout");
  }

  /**
   * Settings for the given URL, or for the embedded database in {@code dataDir} when the URL
   * is absent or blank.
   *
   * @throws IllegalArgumentException when the URL is neither JDBC nor postgres://
   */
  public static DatabaseSettings from(Optional<String> url, Optional<String> user, Optional<String> password,
      Path dataDir, int poolSize, Duration connectionTimeout) {
    String given = url.map(String::trim).orElse("");
    if (given.isEmpty()) {
      return new DatabaseSettings(embeddedUrl(dataDir), user, password, Optional.empty(), poolSize, connectionTimeout);
    }
    if (given.startsWith("jdbc:")) {
      return new DatabaseSettings(given, user, password, Optional.empty(), poolSize, connectionTimeout);
    }
    if (given.startsWith("postgres://") || given.startsWith("postgresql://")) {
      return fromPostgresUri(given, user, password, poolSize, connectionTimeout);
    }
    throw new IllegalArgumentException("expected a jdbc: or postgres:// URL");
  }

  /** The embedded H2 database kept in files under {@code dataDir}. */
  public static String embeddedUrl(Path dataDir) {
    return "jdbc:h2:" + embeddedDatabaseName(dataDir) + H2_OPTIONS;
  }

  /** How H2 names the embedded database of {@code dataDir}. */
  static String embeddedDatabaseName(Path dataDir) {
    return "file:" + dataDir.toAbsolutePath().normalize().resolve("users");
  }

  /**
   * The embedded database of {@code dataDir} opened by this process itself, only if it exists:
   * for a command run while no service holds it.
   */
  public static String existingEmbeddedUrl(Path dataDir) {
    return embeddedUrl(dataDir) + ";IFEXISTS=TRUE";
  }

  /** A running service's embedded database, through its loopback server ({@link EmbeddedDatabaseServer}). */
  static String loopbackServerUrl(int port, String key) {
    return "jdbc:h2:tcp://127.0.0.1:" + port + "/" + key + H2_OPTIONS;
  }

  /** An in-memory H2 database in PostgreSQL mode, alive while the process runs. */
  public static String inMemoryUrl(String name) {
    return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1" + H2_OPTIONS;
  }

  private static DatabaseSettings fromPostgresUri(String given, Optional<String> user, Optional<String> password,
      int poolSize, Duration connectionTimeout) {
    URI uri;
    try {
      uri = new URI(given);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid postgres:// URL");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("a postgres:// URL needs a host");
    }
    String hostPort = uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    Optional<String> uriUser = user;
    Optional<String> uriPassword = password;
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      uriUser = Optional.of(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0) {
        uriPassword = Optional.of(userInfo.substring(colon + 1));
      }
    }
    return new DatabaseSettings("jdbc:postgresql://" + hostPort + path + query, uriUser, uriPassword,
        Optional.empty(), poolSize, connectionTimeout);
  }

  /** True for PostgreSQL (and compatible) databases, false for the embedded H2. */
  public boolean isPostgres() {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  /** The same settings using (and migrating) the given schema. */
  public DatabaseSettings withSchema(String schemaName) {
    return new DatabaseSettings(jdbcUrl, user, password, Optional.of(schemaName), poolSize, connectionTimeout);
  }

  @Override
  public String toString() {
    // the key of a loopback server URL is a secret
    String shownUrl = jdbcUrl.replaceAll("^(jdbc:h2:tcp://[^/]*/)[^;]*", "$1****");
    return "DatabaseSettings[jdbcUrl=" + shownUrl + ", user=" + user.orElse("") + ", schema=" + schema.orElse("")
        + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
  }
}
