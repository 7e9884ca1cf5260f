package dev.userservice.user.jdbc;

import dev.userservice.db.DatabaseSettings;
import dev.userservice.testing.TestDatabases;

/** The repository contract on the embedded H2 database in PostgreSQL mode. */
class JdbcUserRepositoryH2Test extends UserRepositoryContract {

  @Override
  protected DatabaseSettings newDatabase() {
    return TestDatabases.h2();
  }
}
