package dev.userservice.db;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Where the database is and how to pool connections to it. Built from the service's
 * configuration: a JDBC URL, a {@code postgres://user:password@host:port/db} URL, or none,
 * which selects the embedded H2 database in PostgreSQL mode under the data folder. A PostgreSQL
 * URL may name several hosts ({@code host1:5432,host2:5432}): connections then go to whichever
 * of them is the primary ({@code targetServerType=primary} unless the URL sets it).
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
      return new DatabaseSettings(PrimaryOnlyUrls.apply(given), user, password, Optional.empty(), poolSize,
          connectionTimeout);
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

  /**
   * A {@code postgres://[user[:password]@]host[:port][,host[:port]...]/db[?params]} URL, as
   * libpq takes it; the host list is kept as pgjdbc's multi-host form.
   */
  private static DatabaseSettings fromPostgresUri(String given, Optional<String> user, Optional<String> password,
      int poolSize, Duration connectionTimeout) {
    int authorityStart = given.indexOf("://") + 3;
    int authorityEnd = given.length();
    for (char c : new char[] {'/', '?'}) {
      int at = given.indexOf(c, authorityStart);
      if (at >= 0 && at < authorityEnd) {
        authorityEnd = at;
      }
    }
    String authority = given.substring(authorityStart, authorityEnd);
    int at = authority.lastIndexOf('@');
    String hosts = authority.substring(at + 1);
    if (hosts.isEmpty() || Arrays.stream(hosts.split(",", -1)).anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("a postgres:// URL needs a host");
    }
    // the rest is parsed with one placeholder host, which decodes the user information
    URI uri;
    try {
      uri = new URI("postgres://" + authority.substring(0, at + 1) + "host" + given.substring(authorityEnd));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid postgres:// URL");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
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
    return new DatabaseSettings(PrimaryOnlyUrls.apply(PrimaryOnlyUrls.PREFIX + hosts + path + query), uriUser,
        uriPassword, Optional.empty(), poolSize, connectionTimeout);
  }

  /** True for PostgreSQL (and compatible) databases, false for the embedded H2. */
  public boolean isPostgres() {
    return jdbcUrl.startsWith("jdbc:postgresql:");
  }

  /** The same settings using (and migrating) the given schema. */
  public DatabaseSettings withSchema(String schemaName) {
    return new DatabaseSettings(jdbcUrl, user, password, Optional.of(schemaName), poolSize, connectionTimeout);
  }

  /**
   * The JDBC URL fit for a log line: a password it carries as a parameter and the key of a loopback
   * server URL masked.
   */
  public String maskedUrl() {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1****").replaceAll("^(jdbc:h2:tcp://[^/]*/)[^;]*", "$1****");
  }

  @Override
  public String toString() {
    return "DatabaseSettings[jdbcUrl=" + maskedUrl() + ", user=" + user.orElse("") + ", schema=" + schema.orElse("")
        + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
  }
}
