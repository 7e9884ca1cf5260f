package dev.userservice.user.jdbc;

import static dev.userservice.user.jdbc.UserRowMapper.COLUMNS;
import static java.util.Objects.requireNonNull;

import dev.userservice.db.CallBoundStatement;
import dev.userservice.db.SqlErrors;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.Credentials;
import dev.userservice.user.EmailTakenException;
import dev.userservice.user.Etags;
import dev.userservice.user.NewUser;
import dev.userservice.user.RequestIdReusedException;
import dev.userservice.user.Roles;
import dev.userservice.user.StaleEtagException;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserNotFoundException;
import dev.userservice.user.UserRepository;
import dev.userservice.user.changes.ChangePublisher;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/** {@link UserRepository} over JDBC; the same SQL runs on PostgreSQL and on H2 in PostgreSQL mode. */
public final class JdbcUserRepository implements UserRepository {
  private static final String SELECT_BY_ID = "select " + COLUMNS + " from users where id = ?";
  private static final String SELECT_BY_IDS = "select " + COLUMNS + " from users where id = any(?)";
  private static final String SELECT_BY_ID_FOR_UPDATE = SELECT_BY_ID + " for update";
  private static final String SELECT_BY_REQUEST_ID = "select " + COLUMNS + ", request_fingerprint from users"
      + " where request_id = ?";
  private static final String SELECT_CREDENTIALS = "select id, status, password_hash, roles from users where email = ?";
  private static final String LIST_FIRST = "select " + COLUMNS + " from users order by id limit ?";
  private static final String LIST_AFTER = "select " + COLUMNS + " from users where id > ? order by id limit ?";
  private static final String UPDATE = "update users set email = ?, name = ?, status = ?, roles = ?, version = ?,"
      + " updated_at = ? where id = ?";

  private final DataSource dataSource;
  private final Clock clock;
  private final ChangePublisher publisher;

  /** A repository whose updates nobody follows. */
  public JdbcUserRepository(DataSource dataSource, Clock clock) {
    this(dataSource, clock, ChangePublisher.NONE);
  }

  /** A repository that announces every committed update through {@code publisher}. */
  public JdbcUserRepository(DataSource dataSource, Clock clock, ChangePublisher publisher) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.clock = requireNonNull(clock, "clock");
    this.publisher = requireNonNull(publisher, "publisher");
  }

  @Override
  public Optional<User> findById(UUID id) {
    requireNonNull(id, "id");
    try (Connection connection = dataSource.getConnection()) {
      return selectOne(connection, SELECT_BY_ID, id);
    } catch (SQLException e) {
      throw SqlErrors.translate("find user", e);
    }
  }

  @Override
  public List<User> findByIds(Set<UUID> ids) {
    requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return List.of();
    }
    if (ids.size() == 1) {
      // PostgreSQL answers "id = ?" about half again faster than "id = any(?)" with one element
      return findById(ids.iterator().next()).map(List::of).orElse(List.of());
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(SELECT_BY_IDS)) {
      Array array = connection.createArrayOf("uuid", ids.toArray());
      select.setArray(1, array);
      List<User> users = new ArrayList<>(ids.size());
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          users.add(UserRowMapper.map(rs));
        }
      }
      array.free();
      return users;
    } catch (SQLException e) {
      throw SqlErrors.translate("find users", e);
    }
  }

  @Override
  public Optional<Credentials> findCredentials(String email) {
    requireNonNull(email, "email");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(SELECT_CREDENTIALS)) {
      select.setString(1, email);
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Credentials(
            rs.getObject("id", UUID.class),
            AccountStatus.valueOf(rs.getString("status")),
            Optional.ofNullable(rs.getString("password_hash")),
            Roles.parse(rs.getString("roles"))));
      }
    } catch (SQLException e) {
      throw SqlErrors.translate("find credentials", e);
    }
  }

  @Override
  public User create(UUID id, NewUser user) {
    requireNonNull(id, "id");
    requireNonNull(user, "user");
    try (Connection connection = dataSource.getConnection()) {
      if (user.requestId().isPresent()) {
        Optional<User> earlier = earlierCreate(connection, user);
        if (earlier.isPresent()) {
          return earlier.get();
        }
      }
      Instant now = now();
      try (PreparedStatement insert = connection.prepareStatement(BatchInserts.INSERT)) {
        BatchInserts.bind(insert, id, user, now);
        try (var bound = CallBoundStatement.bind(insert)) {
          insert.executeUpdate();
        }
      } catch (SQLException e) {
        if (!SqlErrors.isUniqueViolation(e)) {
          throw e;
        }
        // a concurrent create with the same request id won the race: answer with its user
        if (user.requestId().isPresent()) {
          Optional<User> winner = earlierCreate(connection, user);
          if (winner.isPresent()) {
            return winner.get();
          }
        }
        throw new EmailTakenException();
      }
      return new User(id, user.email(), user.name(), AccountStatus.ACTIVE, now, now, 1);
    } catch (SQLException e) {
      throw SqlErrors.translate("create user", e);
    }
  }

  @Override
  public List<Optional<User>> createAllSkippingTaken(List<UUID> ids, List<NewUser> users) {
    requireNonNull(ids, "ids");
    requireNonNull(users, "users");
    if (ids.size() != users.size()) {
      throw new IllegalArgumentException("ids: " + ids.size() + " (expected: one per user, " + users.size() + ")");
    }
    if (users.isEmpty()) {
      return List.of();
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(BatchInserts.INSERT_SKIPPING_DUPLICATES)) {
        Instant now = now();
        boolean[] inserted = BatchInserts.insertSkippingTaken(insert, ids, users, now,
            connection.isWrapperFor(PGConnection.class));
        connection.commit();
        List<Optional<User>> stored = new ArrayList<>(users.size());
        for (int i = 0; i < users.size(); i++) {
          NewUser user = users.get(i);
          stored.add(inserted[i]
              ? Optional.of(new User(ids.get(i), user.email(), user.name(), AccountStatus.ACTIVE, now, now, 1))
              : Optional.empty());
        }
        return stored;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection);
        throw e;
      }
    } catch (SQLException e) {
      throw SqlErrors.translate("create users", e);
    }
  }

  @Override
  public List<User> listAfter(Optional<UUID> afterId, int limit) {
    requireNonNull(afterId, "afterId");
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(afterId.isPresent() ? LIST_AFTER : LIST_FIRST)) {
      int index = 1;
      if (afterId.isPresent()) {
        select.setObject(index++, afterId.get());
      }
      select.setInt(index, limit);
      List<User> users = new ArrayList<>(limit);
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          users.add(UserRowMapper.map(rs));
        }
      }
      return users;
    } catch (SQLException e) {
      throw SqlErrors.translate("list users", e);
    }
  }

  @Override
  public User update(UUID id, UserChanges changes) {
    requireNonNull(id, "id");
    requireNonNull(changes, "changes");
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        User updated = updateInTransaction(connection, id, changes);
        connection.commit();
        if (!changes.isEmpty()) {
          publisher.afterCommit(updated);
        }
        return updated;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection);
        throw e;
      }
    } catch (SQLException e) {
      if (SqlErrors.isUniqueViolation(e)) {
        throw new EmailTakenException();
      }
      throw SqlErrors.translate("update user", e);
    }
  }

  private User updateInTransaction(Connection connection, UUID id, UserChanges changes) throws SQLException {
    User current = selectOne(connection, SELECT_BY_ID_FOR_UPDATE, id).orElseThrow(() -> new UserNotFoundException(id));
    if (changes.expectedEtag().isPresent() && !Etags.matches(changes.expectedEtag().get(), current.version())) {
      throw new StaleEtagException(current.etag());
    }
    if (changes.isEmpty()) {
      return current;
    }
    User next = new User(id,
        changes.email().orElse(current.email()),
        changes.name().orElse(current.name()),
        changes.status().orElse(current.status()),
        current.createdAt(),
        now(),
        current.version() + 1,
        changes.roles().orElse(current.roles()));
    try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
      update.setString(1, next.email());
      update.setString(2, next.name());
      update.setString(3, next.status().name());
      update.setString(4, Roles.format(next.roles()));
      update.setLong(5, next.version());
      update.setObject(6, timestamp(next.updatedAt()));
      update.setObject(7, id);
      try (var bound = CallBoundStatement.bind(update)) {
        update.executeUpdate();
      }
    }
    publisher.inTransaction(connection, next);
    return next;
  }

  @Override
  public BulkInsert openBulkInsert() {
    return new JdbcBulkInsert();
  }

  /**
   * The user an earlier create with this request id stored, if any.
   *
   * @throws RequestIdReusedException when that create asked for another email or name
   */
  private Optional<User> earlierCreate(Connection connection, NewUser user) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(SELECT_BY_REQUEST_ID)) {
      select.setString(1, user.requestId().orElseThrow());
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        User earlier = UserRowMapper.map(rs);
        String fingerprint = rs.getString("request_fingerprint");
        // rows stored before fingerprints were kept are compared as they are now
        boolean same = fingerprint != null
            ? fingerprint.equals(RequestFingerprints.of(user))
            : earlier.email().equals(user.email()) && earlier.name().equals(user.name());
        if (!same) {
          throw new RequestIdReusedException();
        }
        return Optional.of(earlier);
      }
    }
  }

  private Optional<User> selectOne(Connection connection, String sql, Object key) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setObject(1, key);
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(UserRowMapper.map(rs)) : Optional.empty();
      }
    }
  }

  private Instant now() {
    // the database keeps microseconds; what a call returns must equal what a later read returns
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it and the database rolls back
    }
  }

  /**
   * A transaction held open on one pooled connection, taken at the first insert. On PostgreSQL a
   * batch travels by COPY straight into the users table, or, when it meets a taken email or
   * request id, into a temporary table from which one INSERT ... SELECT skips the duplicates and
   * returns the ids it stored ({@link CopyInserts}); elsewhere it is a JDBC batch of single-row
   * inserts.
   */
  private final class JdbcBulkInsert implements BulkInsert {
    private Connection connection;
    /** The batch path's statement, or null on PostgreSQL. */
    private PreparedStatement insert;
    /** The COPY path, on PostgreSQL. */
    private CopyInserts copy;
    private boolean closed;

    @Override
    public boolean[] insert(List<UUID> ids, List<NewUser> users) {
      if (ids.size() != users.size()) {
        throw new IllegalArgumentException("ids: " + ids.size() + " (expected: one per user, " + users.size() + ")");
      }
      if (closed) {
        throw new IllegalStateException("bulk insert already closed");
      }
      if (users.isEmpty()) {
        return new boolean[0];
      }
      try {
        if (connection == null) {
          connection = dataSource.getConnection();
          connection.setAutoCommit(false);
          if (connection.isWrapperFor(PGConnection.class)) {
            copy = CopyInserts.on(connection);
          } else {
            insert = connection.prepareStatement(BatchInserts.INSERT_SKIPPING_DUPLICATES);
          }
        }
        Instant now = now();
        return copy != null ? copy.insert(ids, users, now)
            : BatchInserts.insertSkippingTaken(insert, ids, users, now, false);
      } catch (SQLException | IOException e) {
        throw SqlErrors.translate("bulk insert", e instanceof SQLException sql ? sql : new SQLException(e));
      }
    }

    @Override
    public void commit() {
      if (closed) {
        throw new IllegalStateException("bulk insert already closed");
      }
      if (connection == null) {
        return;
      }
      try {
        connection.commit();
      } catch (SQLException e) {
        throw SqlErrors.translate("bulk commit", e);
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (connection == null) {
        return;
      }
      try (Connection c = connection; PreparedStatement s = insert; CopyInserts p = copy) {
        rollbackQuietly(c); // does nothing after a commit
      } catch (SQLException ignored) {
        // closing a broken connection; the pool replaces it
      }
    }
  }
}
