package dev.userservice.user.jdbc;

import dev.userservice.db.DatabaseSettings;
import dev.userservice.testing.TestDatabases;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;

/** The repository contract on the real PostgreSQL, each test in a schema of its own. */
class JdbcUserRepositoryPostgresTest extends UserRepositoryContract {
  private String schema;

  @Override
  protected DatabaseSettings newDatabase() {
    DatabaseSettings settings = TestDatabases.postgres();
    schema = settings.schema().orElseThrow();
    return settings;
  }

  @AfterEach
  void dropSchema() throws SQLException {
    TestDatabases.dropSchema(schema);
  }
}
