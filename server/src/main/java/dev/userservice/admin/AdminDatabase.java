package dev.userservice.admin;

import static java.util.Objects.requireNonNull;

import dev.userservice.config.DatabaseValues;
import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.db.EmbeddedDatabaseServer;
import dev.userservice.user.UserRepository;
import dev.userservice.user.changes.ChangePublisher;
import dev.userservice.user.changes.PostgresChangePublisher;
import dev.userservice.user.jdbc.JdbcUserRepository;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/**
 * The service's database as an admin command reaches it, from the same settings as the server:
 * PostgreSQL directly, its changes announced on the change feed (NOTIFY) to every running
 * replica; the embedded database through the running service's loopback server
 * ({@link EmbeddedDatabaseServer}), or its file when no service holds it. Its schema is never
 * migrated here: that is the service's to do.
 */
public final class AdminDatabase implements AutoCloseable {
  /** H2: the database file is held by another process. */
  private static final int H2_DATABASE_ALREADY_OPEN = 90020;
  /** H2: no database file, and IFEXISTS forbade creating one. */
  private static final int H2_DATABASE_NOT_FOUND = 90146;

  private final Database database;
  private final UserRepository users;
  private final Reach reach;
  private final String where;

  /** How a change made here reaches the running service. */
  public enum Reach {
    /** PostgreSQL: every replica applies it when the change feed's notification arrives. */
    EVERY_REPLICA_AT_ONCE,
    /** The embedded database through the running service: at the account's next Login, or within a minute of use. */
    RUNNING_SERVICE_AT_NEXT_LOGIN,
    /** The embedded database's file: no service was running; it holds from the next start. */
    NO_SERVICE_RUNNING
  }

  private AdminDatabase(Database database, ChangePublisher publisher, Reach reach, String where) {
    this.database = database;
    this.users = new JdbcUserRepository(database.dataSource(), Clock.systemUTC(), publisher);
    this.reach = reach;
    this.where = where;
  }

  /**
   * Opens the database {@code values} name.
   *
   * @throws AdminException when it cannot be reached, saying why and what to do
   */
  public static AdminDatabase open(DatabaseValues values) {
    requireNonNull(values, "values");
    DatabaseSettings settings;
    try {
      settings = DatabaseSettings.from(values.url(), values.user(), values.password(), values.dataDir(), 1,
          values.connectionTimeout());
    } catch (IllegalArgumentException e) {
      throw new AdminException("--database-url (DATABASE_URL): " + e.getMessage());
    }
    if (settings.isPostgres()) {
      return new AdminDatabase(connect(settings), new PostgresChangePublisher(), Reach.EVERY_REPLICA_AT_ONCE,
          "PostgreSQL at " + settings.maskedUrl());
    }
    if (values.url().map(String::isBlank).orElse(true)) {
      return openEmbedded(values, settings);
    }
    // an H2 URL of the operator's own: no service's loopback server is known for it
    return new AdminDatabase(connect(settings), ChangePublisher.NONE, Reach.RUNNING_SERVICE_AT_NEXT_LOGIN,
        settings.maskedUrl());
  }

  private static AdminDatabase openEmbedded(DatabaseValues values, DatabaseSettings settings) {
    Path folder = values.dataDir().toAbsolutePath().normalize();
    Optional<String> running = EmbeddedDatabaseServer.runningServiceUrl(values.dataDir());
    if (running.isPresent()) {
      try {
        return new AdminDatabase(Database.openWithoutMigrating(withUrl(settings, running.get())), ChangePublisher.NONE,
            Reach.RUNNING_SERVICE_AT_NEXT_LOGIN,
            "the embedded database in " + folder + ", through the running service");
      } catch (DatabaseUnavailableException e) {
        // the service that wrote the access file is gone (killed before it could remove it)
      }
    }
    try {
      return new AdminDatabase(
          Database.openWithoutMigrating(withUrl(settings, DatabaseSettings.existingEmbeddedUrl(values.dataDir()))),
          ChangePublisher.NONE, Reach.NO_SERVICE_RUNNING, "the embedded database in " + folder);
    } catch (DatabaseUnavailableException e) {
      int code = h2ErrorCode(e);
      if (code == H2_DATABASE_NOT_FOUND) {
        throw new AdminException("no embedded database in " + folder
            + ": start the service with this --data-dir (DATA_DIR) once, and create the user");
      }
      if (code == H2_DATABASE_ALREADY_OPEN) {
        throw new AdminException("the embedded database in " + folder
            + " is held by a process that lets no admin command in (not a running user-service of this"
            + " version): stop that process, or run this command while the service runs");
      }
      throw new AdminException("cannot open the embedded database in " + folder + " (" + describe(e) + ")");
    }
  }

  private static Database connect(DatabaseSettings settings) {
    try {
      return Database.openWithoutMigrating(settings);
    } catch (DatabaseUnavailableException e) {
      throw new AdminException("cannot connect to the database (" + describe(e) + ": " + firstSqlMessage(e) + ")");
    }
  }

  private static DatabaseSettings withUrl(DatabaseSettings settings, String url) {
    return new DatabaseSettings(url, settings.user(), settings.password(), settings.schema(), settings.poolSize(),
        settings.connectionTimeout());
  }

  private static int h2ErrorCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getErrorCode() != 0) {
        return sql.getErrorCode();
      }
    }
    return 0;
  }

  /** The SQL state of the failure, which names its kind without quoting a URL or a value. */
  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return "SQL state " + sql.getSQLState();
      }
    }
    return e.getClass().getSimpleName();
  }

  /** What the driver said: the operator's own database and credentials, no secret of the service. */
  private static String firstSqlMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return String.valueOf(sql.getMessage()).lines().findFirst().orElse("");
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** The users, read and changed through this database. */
  public UserRepository users() {
    return users;
  }

  /** Which database this is, for the operator: PostgreSQL's URL (password masked) or the embedded database's folder. */
  public String where() {
    return where;
  }

  /** How a change made here reaches the running service. */
  public Reach reach() {
    return reach;
  }

  @Override
  public void close() {
    database.close();
  }
}
