package dev.userservice.user.jdbc;

import dev.userservice.user.NewUser;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Writes a batch of new users as CSV rows for PostgreSQL's COPY, into the users table or the staging table. */
final class StagingRows {
  private StagingRows() {}

  /** One row per user: ordinal, id, email, name, password hash, request id; absent values are NULL. */
  static String csv(List<UUID> ids, List<NewUser> users) {
    StringBuilder out = new StringBuilder(users.size() * 96);
    for (int i = 0; i < users.size(); i++) {
      user(out.append(i).append(','), ids.get(i), users.get(i), ",").append('\n');
    }
    return out.toString();
  }

  /**
   * One row per user, as the users table's columns id, email, name, status, password hash,
   * request id, version, created and updated times: a new active user at version 1, created and
   * updated at {@code time}; absent values are NULL.
   */
  static String userRows(List<UUID> ids, List<NewUser> users, OffsetDateTime time) {
    String version1At = ",1," + time + ',' + time + '\n';
    StringBuilder out = new StringBuilder(users.size() * 160);
    for (int i = 0; i < users.size(); i++) {
      user(out, ids.get(i), users.get(i), ",ACTIVE,").append(version1At);
    }
    return out.toString();
  }

  /**
   * The fields of one user: id, email, name, then {@code afterName} (the separator and any
   * columns between), password hash and request id, absent values empty (NULL).
   */
  private static StringBuilder user(StringBuilder out, UUID id, NewUser user, String afterName) {
    out.append(id).append(',');
    quoted(out, user.email()).append(',');
    quoted(out, user.name()).append(afterName);
    user.passwordHash().ifPresent(hash -> quoted(out, hash));
    out.append(',');
    user.requestId().ifPresent(requestId -> quoted(out, requestId));
    return out;
  }

  /** A quoted CSV field: quotes doubled, so commas, quotes and any other text pass literally. */
  private static StringBuilder quoted(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        out.append('"');
      }
      out.append(c);
    }
    return out.append('"');
  }
}
