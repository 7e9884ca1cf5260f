package dev.userservice.user.jdbc;

import dev.userservice.db.CallBoundStatement;
import dev.userservice.db.SqlErrors;
import dev.userservice.user.NewUser;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The COPY path of a bulk create on PostgreSQL, on the connection of one open transaction. Each
 * batch is first copied straight into the users table, under a savepoint: a batch of new users,
 * the usual case, costs the database no more than COPY itself. When the copy meets a taken email
 * or request id (or a deadlock with another stream inserting the same emails in another order),
 * the batch is rolled back to the savepoint and travels by COPY into a temporary table instead,
 * from which one INSERT ... SELECT skips the duplicates and returns the ids it stored.
 */
final class CopyInserts implements AutoCloseable {
  // rows staged by COPY, then inserted in email order (so two batches
  // with common emails lock them in the same order and cannot deadlock each other; "C" sorts by
  // code point, like the JDBC batches' order), the first of several equal emails in message
  // order winning, like with single-row inserts
  private static final String CREATE_STAGING = "create temporary table bulk_staging"
      + " (ordinal int, id uuid, email varchar(1024), name varchar(1024), password_hash varchar(255),"
      + " request_id varchar(512)) on commit drop";
  private static final String COPY_INTO_USERS = "copy users"
      + " (id, email, name, status, password_hash, request_id, version, created_at, updated_at)"
      + " from stdin with (format csv)";
  private static final String TRUNCATE_STAGING = "truncate bulk_staging";
  private static final String COPY_INTO_STAGING = "copy bulk_staging from stdin with (format csv)";
  private static final String INSERT_FROM_STAGING = "insert into users"
      + " (id, email, name, status, password_hash, request_id, version, created_at, updated_at)"
      + " select id, email, name, 'ACTIVE', password_hash, request_id, 1, ?, ? from bulk_staging"
      + " order by email collate \"C\", ordinal"
      + " on conflict do nothing returning id";

  private final Connection connection;
  private final CopyManager copy;
  private final PreparedStatement insert;
  private boolean stagingCreated;

  private CopyInserts(Connection connection, CopyManager copy, PreparedStatement insert) {
    this.connection = connection;
    this.copy = copy;
    this.insert = insert;
  }

  /** The COPY path on {@code connection}, a PostgreSQL connection in a transaction. */
  static CopyInserts on(Connection connection) throws SQLException {
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    return new CopyInserts(connection, copy, connection.prepareStatement(INSERT_FROM_STAGING));
  }

  /** Inserts one batch; for each user in the given order, true when stored. */
  boolean[] insert(List<UUID> ids, List<NewUser> users, Instant now) throws SQLException, IOException {
    OffsetDateTime time = JdbcUserRepository.timestamp(now);
    if (copiedStraightIn(ids, users, time)) {
      boolean[] stored = new boolean[ids.size()];
      Arrays.fill(stored, true);
      return stored;
    }
    return staged(ids, users, time);
  }

  /**
   * Copies the batch straight into the users table; false, with none of the batch kept, when a
   * user's email or request id is taken (or repeated in the batch), or the copy deadlocked.
   */
  private boolean copiedStraightIn(List<UUID> ids, List<NewUser> users, OffsetDateTime time)
      throws SQLException, IOException {
    Savepoint beforeBatch = connection.setSavepoint();
    try {
      copy.copyIn(COPY_INTO_USERS, new StringReader(StagingRows.userRows(ids, users, time)));
    } catch (SQLException e) {
      connection.rollback(beforeBatch);
      if (SqlErrors.isUniqueViolation(e) || SqlErrors.isDeadlock(e)) {
        return false;
      }
      throw e;
    }
    connection.releaseSavepoint(beforeBatch);
    return true;
  }

  /** Stages the batch and inserts it, skipping the users whose email or request id is taken. */
  private boolean[] staged(List<UUID> ids, List<NewUser> users, OffsetDateTime time) throws SQLException, IOException {
    try (Statement staging = connection.createStatement()) {
      staging.execute(stagingCreated ? TRUNCATE_STAGING : CREATE_STAGING);
      stagingCreated = true;
    }
    copy.copyIn(COPY_INTO_STAGING, new StringReader(StagingRows.csv(ids, users)));
    insert.setObject(1, time);
    insert.setObject(2, time);
    Set<UUID> storedIds = new HashSet<>(ids.size() * 2);
    try (var bound = CallBoundStatement.bind(insert);
        ResultSet rs = insert.executeQuery()) {
      while (rs.next()) {
        storedIds.add(rs.getObject(1, UUID.class));
      }
    }
    boolean[] stored = new boolean[ids.size()];
    for (int i = 0; i < stored.length; i++) {
      stored[i] = storedIds.contains(ids.get(i));
    }
    return stored;
  }

  @Override
  public void close() throws SQLException {
    insert.close();
  }
}
