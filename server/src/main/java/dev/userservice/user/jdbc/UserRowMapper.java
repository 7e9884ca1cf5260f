package dev.userservice.user.jdbc;

import dev.userservice.user.AccountStatus;
import dev.userservice.user.Roles;
import dev.userservice.user.User;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Reads a {@link User} from a row of {@link #COLUMNS}, by position in that order. */
final class UserRowMapper {
  static final String COLUMNS = "id, email, name, status, created_at, updated_at, version, roles";

  private UserRowMapper() {}

  static User map(ResultSet rs) throws SQLException {
    return new User(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        AccountStatus.valueOf(rs.getString(4)),
        rs.getObject(5, OffsetDateTime.class).toInstant(),
        rs.getObject(6, OffsetDateTime.class).toInstant(),
        rs.getLong(7),
        Roles.parse(rs.getString(8)));
  }
}
