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
      NewUser user = users.get(i);
      out.append(i).append(',').append(ids.get(i)).append(',');
      quoted(out, user.email()).append(',');
      quoted(out, user.name()).append(',');
      user.passwordHash().ifPresent(hash -> quoted(out, hash));
      out.append(',');
      user.requestId().ifPresent(id -> quoted(out, id));
      out.append('\n');
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
      NewUser user = users.get(i);
      out.append(ids.get(i)).append(',');
      quoted(out, user.email()).append(',');
      quoted(out, user.name()).append(",ACTIVE,");
      user.passwordHash().ifPresent(hash -> quoted(out, hash));
      out.append(',');
      user.requestId().ifPresent(id -> quoted(out, id));
      out.append(version1At);
    }
    return out.toString();
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
