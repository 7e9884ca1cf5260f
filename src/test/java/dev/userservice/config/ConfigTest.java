package dev.userservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void load_nothingGiven_defaults() {
    Config config = Config.load(new String[0], Map.of());

    assertThat(config.grpcPort()).isEqualTo(50051);
    assertThat(config.databaseUrl()).isEmpty();
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(config.poolSize()).isEqualTo(10);
    assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void load_nothingGiven_shutdownDrainsFiveSecondsThenGivesCallsTen() {
    Config config = Config.load(new String[0], Map.of());

    assertThat(config.drainDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void load_drainDelay_fromFlagOrEnvironmentAndValidated() {
    assertThat(Config.load(new String[] {"--drain-delay-ms=250"}, Map.of()).drainDelay())
        .isEqualTo(Duration.ofMillis(250));
    assertThat(Config.load(new String[0], Map.of("DRAIN_DELAY_MS", "0")).drainDelay()).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("DRAIN_DELAY_MS", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--drain-delay-ms (DRAIN_DELAY_MS): '-1' (expected: milliseconds in 0..600000)");
  }

  @Test
  void load_flagBeatsEnvironment() {
    Config config = Config.load(new String[] {"--grpc-port=6000", "--db-pool-size", "3"},
        Map.of("GRPC_PORT", "7000", "DATABASE_URL", "jdbc:postgresql://db/users"));

    assertThat(config.grpcPort()).isEqualTo(6000);
    assertThat(config.poolSize()).isEqualTo(3);
    assertThat(config.databaseUrl()).contains("jdbc:postgresql://db/users");
  }

  @Test
  void load_badValue_messageNamesSettingValueAndExpectation() {
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("GRPC_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--grpc-port (GRPC_PORT): '70000' (expected: an integer in 0..65535)");
    assertThatThrownBy(() -> Config.load(new String[] {"--db-pool-size=many"}, Map.of()))
        .hasMessageContaining("--db-pool-size").hasMessageContaining("'many'");
  }

  @Test
  void load_unknownFlag_rejected() {
    assertThatThrownBy(() -> Config.load(new String[] {"--colour=blue"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--colour");
  }

  @Test
  void describe_masksPasswordsEverywhere() {
    Config.Described described = Config.loadDescribed(new String[0], Map.of(
        "DATABASE_URL", "postgres://app:s3cret@db:5432/users",
        "DATABASE_PASSWORD", "hunter2"));

    assertThat(described.settings().toString()).doesNotContain("s3cret").doesNotContain("hunter2")
        .contains("postgres://app:****@db:5432/users");
    assertThat(described.config().toString()).doesNotContain("s3cret").doesNotContain("hunter2");
    assertThat(described.config().databasePassword()).isEqualTo(Optional.of("hunter2"));
  }

  @Test
  void help_listsEverySetting() {
    String help = Config.help();
    for (Setting setting : Config.SETTINGS) {
      assertThat(help).contains("--" + setting.flag()).contains(setting.env());
    }
  }

  @Test
  void load_shortJwtSecret_rejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("JWT_SECRET", "short-secret")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("JWT_SECRET").hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void load_tlsCertificateWithoutKey_rejected(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path cert = java.nio.file.Files.writeString(dir.resolve("cert.pem"), "x");
    assertThatThrownBy(() -> Config.load(new String[] {"--tls-cert-file=" + cert}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--tls-key-file");
  }

  @Test
  void load_missingKeyFile_rejectedNamingIt() {
    assertThatThrownBy(() -> Config.load(new String[] {"--jwt-public-key-file=/no/such/key.pem"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--jwt-public-key-file (JWT_PUBLIC_KEY_FILE): '/no/such/key.pem' (expected: a readable file)");
  }

  @Test
  void describe_masksTheJwtSecret() {
    Config.Described described = Config.loadDescribed(new String[0],
        Map.of("JWT_SECRET", "a-very-long-secret-of-more-than-32-bytes"));

    assertThat(described.settings()).containsEntry("jwt-secret", "****");
    assertThat(described.config().toString()).doesNotContain("a-very-long-secret");
  }
}
