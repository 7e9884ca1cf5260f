package dev.userservice.user.jdbc;

import dev.userservice.user.AccountStatus;
import dev.userservice.user.Roles;
import dev.userservice.user.User;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Reads a {@link User} from a row of {@link #COLUMNS}. */
final class UserRowMapper {
  static final String COLUMNS = "id, email, name, status, created_at, updated_at, version, roles";

  private UserRowMapper() {}

  static User map(ResultSet rs) throws SQLException {
    return new User(
        rs.getObject("id", UUID.class),
        rs.getString("email"),
        rs.getString("name"),
        AccountStatus.valueOf(rs.getString("status")),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
        rs.getLong("version"),
        Roles.parse(rs.getString("roles")));
  }
}
