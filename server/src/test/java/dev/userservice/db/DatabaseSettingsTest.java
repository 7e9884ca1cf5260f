package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @Test
  void from_noUrl_embeddedH2FileUnderDataDir() {
    DatabaseSettings settings = DatabaseSettings.from(Optional.empty(), Optional.empty(), Optional.empty(),
        Path.of("/srv/data"), 5, TIMEOUT);

    assertThat(settings.jdbcUrl()).startsWith("jdbc:h2:file:/srv/data/users;MODE=PostgreSQL");
    assertThat(settings.isPostgres()).isFalse();
  }

  @Test
  void from_postgresUri_jdbcUrlWithCredentialsSplitOut() {
    DatabaseSettings settings = DatabaseSettings.from(Optional.of("postgres://app:p%40ss@db.internal:6432/users?sslmode=require"),
        Optional.empty(), Optional.empty(), Path.of("."), 5, TIMEOUT);

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/users?sslmode=require");
    assertThat(settings.user()).contains("app");
    assertThat(settings.password()).contains("p@ss");
    assertThat(settings.isPostgres()).isTrue();
    assertThat(settings.toString()).doesNotContain("p@ss");
  }

  @Test
  void from_jdbcUrl_keptAsGiven() {
    DatabaseSettings settings = DatabaseSettings.from(Optional.of("jdbc:postgresql://127.0.0.1/test"),
        Optional.of("svc"), Optional.of("pw"), Path.of("."), 5, TIMEOUT);

    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/test");
    assertThat(settings.user()).contains("svc");
  }

  @Test
  void toString_loopbackServerUrl_keyMasked() {
    String key = "ab".repeat(32);
    DatabaseSettings settings = new DatabaseSettings(DatabaseSettings.loopbackServerUrl(40000, key), Optional.empty(),
        Optional.empty(), Optional.empty(), 1, TIMEOUT);

    assertThat(settings.jdbcUrl()).startsWith("jdbc:h2:tcp://127.0.0.1:40000/" + key + ";MODE=PostgreSQL");
    assertThat(settings.toString()).contains("jdbc:h2:tcp://127.0.0.1:40000/****;MODE=PostgreSQL").doesNotContain(key);
  }

  @Test
  void existingEmbeddedUrl_neverCreatesADatabase() {
    assertThat(DatabaseSettings.existingEmbeddedUrl(Path.of("/srv/data")))
        .isEqualTo(DatabaseSettings.embeddedUrl(Path.of("/srv/data")) + ";IFEXISTS=TRUE");
  }

  @Test
  void from_postgresUriWithSeveralHosts_multiHostJdbcUrlToThePrimary() {
    DatabaseSettings settings = DatabaseSettings.from(
        Optional.of("postgres://app:p%40ss@db-a:5432,db-b:5433/users?sslmode=require"),
        Optional.empty(), Optional.empty(), Path.of("."), 5, TIMEOUT);

    assertThat(settings.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db-a:5432,db-b:5433/users?sslmode=require&targetServerType=primary");
    assertThat(settings.user()).contains("app");
    assertThat(settings.password()).contains("p@ss");
  }

  @Test
  void from_jdbcUrlWithSeveralHosts_primaryAddedUnlessTheUrlChoosesATarget() {
    assertThat(DatabaseSettings.from(Optional.of("jdbc:postgresql://a:5432,b:5432/users"), Optional.empty(),
        Optional.empty(), Path.of("."), 5, TIMEOUT).jdbcUrl())
        .isEqualTo("jdbc:postgresql://a:5432,b:5432/users?targetServerType=primary");
    assertThat(DatabaseSettings.from(Optional.of("jdbc:postgresql://a,b/users?targetServerType=preferPrimary"),
        Optional.empty(), Optional.empty(), Path.of("."), 5, TIMEOUT).jdbcUrl())
        .isEqualTo("jdbc:postgresql://a,b/users?targetServerType=preferPrimary");
    assertThat(DatabaseSettings.from(Optional.of("postgres://db:5432/users"), Optional.empty(),
        Optional.empty(), Path.of("."), 5, TIMEOUT).jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/users");
  }

  @Test
  void from_postgresUriWithAnEmptyHost_rejected() {
    assertThatThrownBy(() -> DatabaseSettings.from(Optional.of("postgres://a:5432,/users"), Optional.empty(),
        Optional.empty(), Path.of("."), 5, TIMEOUT)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host");
  }

  @Test
  void maskedUrl_hidesAPasswordParameter() {
    DatabaseSettings settings = DatabaseSettings.from(Optional.of("jdbc:postgresql://db/users?user=a&password=s3cret"),
        Optional.empty(), Optional.empty(), Path.of("."), 5, TIMEOUT);

    assertThat(settings.maskedUrl()).isEqualTo("jdbc:postgresql://db/users?user=a&password=****");
    assertThat(settings.toString()).doesNotContain("s3cret");
  }

  @Test
  void from_otherScheme_rejected() {
    assertThatThrownBy(() -> DatabaseSettings.from(Optional.of("mysql://db/users"), Optional.empty(),
        Optional.empty(), Path.of("."), 5, TIMEOUT)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void open_unreachableDatabase_unavailableWithinTheTimeout() {
    DatabaseSettings settings = new DatabaseSettings("jdbc:postgresql://127.0.0.1:1/none", Optional.of("x"),
        Optional.empty(), Optional.empty(), 2, Duration.ofMillis(500));

    long start = System.nanoTime();
    assertThatThrownBy(() -> Database.open(settings)).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
