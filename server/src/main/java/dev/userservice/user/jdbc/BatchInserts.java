package dev.userservice.user.jdbc;

import dev.userservice.db.CallBoundStatement;
import dev.userservice.user.NewUser;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * The batch path of creating users: single-row inserts that skip a taken email or request id,
 * in email order, as one JDBC batch or one at a time. Creates of unary calls take it on every
 * database, bulk creates on H2.
 */
final class BatchInserts {
  static final String INSERT = "insert into users"
      + " (id, email, name, status, password_hash, request_id, request_fingerprint, version, created_at, updated_at)"
      + " values (?, ?, ?, 'ACTIVE', ?, ?, ?, 1, ?, ?)";
  static final String INSERT_SKIPPING_DUPLICATES = INSERT + " on conflict do nothing";

  private BatchInserts() {}

  static void bind(PreparedStatement insert, UUID id, NewUser user, Instant now) throws SQLException {
    insert.setObject(1, id);
    insert.setString(2, user.email());
    insert.setString(3, user.name());
    insert.setString(4, user.passwordHash().orElse(null));
    insert.setString(5, user.requestId().orElse(null));
    insert.setString(6, user.requestId().isPresent() ? RequestFingerprints.of(user) : null);
    OffsetDateTime time = JdbcUserRepository.timestamp(now);
    insert.setObject(7, time);
    insert.setObject(8, time);
  }

  /**
   * Runs {@link #INSERT_SKIPPING_DUPLICATES} for each user, in email order: transactions that
   * insert common emails then take their locks in the same order and cannot deadlock each other.
   * On PostgreSQL the rows go as one JDBC batch; on H2, which goes on with a batch after a failed
   * row (waiting out a lock timeout for each), one at a time, so the first failure ends it.
   *
   * @return for each user in the given order, true when stored, false when skipped because its
   *     email or request id is taken
   */
  static boolean[] insertSkippingTaken(PreparedStatement insert, List<UUID> ids, List<NewUser> users,
      Instant now, boolean batched) throws SQLException {
    Integer[] order = new Integer[users.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // a stable sort by code point (as PostgreSQL's "C" collation): of equal emails, the earlier
    // one is inserted first and wins
    Arrays.sort(order, Comparator.comparing(i -> users.get(i).email(), BatchInserts::compareCodePoints));
    boolean[] stored = new boolean[users.size()];
    try (var bound = CallBoundStatement.bind(insert)) {
      if (!batched) {
        for (int i : order) {
          bind(insert, ids.get(i), users.get(i), now);
          stored[i] = insert.executeUpdate() > 0;
        }
        return stored;
      }
      for (int i : order) {
        bind(insert, ids.get(i), users.get(i), now);
        insert.addBatch();
      }
      int[] counts = insert.executeBatch();
      for (int k = 0; k < counts.length; k++) {
        stored[order[k]] = counts[k] > 0;
      }
    }
    return stored;
  }

  private static int compareCodePoints(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }
}
