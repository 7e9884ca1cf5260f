package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database writes no trace file, where H2 would quote the values of failed statements. */
class H2TraceFileTest {

  @Test
  void embedded_failedStatementQuotingAValue_noFileInTheDataFolderHoldsIt(@TempDir Path dataDir) throws IOException {
    String secret = "secret-value-for-the-trace@example.com";
    DatabaseSettings settings = DatabaseSettings.from(Optional.empty(), Optional.empty(), Optional.empty(), dataDir, 2,
        Duration.ofSeconds(2));
    try (Database database = Database.open(settings)) {
      assertThatThrownBy(() -> {
        try (Connection c = database.dataSource().getConnection();
            PreparedStatement s = c.prepareStatement("insert into users (id, email, name, status, version,"
                + " created_at, updated_at) values (random_uuid(), ?, 'n', 'ACTIVE', 1, now(), now())")) {
          s.setString(1, secret.repeat(40)); // longer than the column
          s.executeUpdate();
        }
      }).isInstanceOf(SQLException.class).hasMessageContaining(secret);
    }

    List<Path> files;
    try (Stream<Path> walk = Files.walk(dataDir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).isNotEmpty().noneMatch(f -> f.getFileName().toString().endsWith(".trace.db"));
    for (Path file : files) {
      assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
          .doesNotContain("secret-value-for-the-trace");
    }
  }
}
