package dev.userservice.testing;

import dev.userservice.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads the users table directly, beside the service, to check what was really stored. */
public final class Rows {
  private Rows() {}

  public static int countUsers(DatabaseSettings settings) throws SQLException {
    try (Connection c = connect(settings);
        PreparedStatement s = c.prepareStatement("select count(*) from users");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The stored password hash of each user with this email (normally one). */
  public static List<String> passwordHashes(DatabaseSettings settings, String email) throws SQLException {
    try (Connection c = connect(settings);
        PreparedStatement s = c.prepareStatement("select password_hash from users where email = ?")) {
      s.setString(1, email);
      List<String> hashes = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          hashes.add(rs.getString(1));
        }
      }
      return hashes;
    }
  }

  private static Connection connect(DatabaseSettings settings) throws SQLException {
    Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.user().orElse(null),
        settings.password().orElse(null));
    if (settings.schema().isPresent()) {
      c.setSchema(settings.schema().get());
    }
    return c;
  }
}
