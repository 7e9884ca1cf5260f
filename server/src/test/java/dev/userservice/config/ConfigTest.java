package dev.userservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

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

  /** The admin commands read the database settings alone, as the server reads them. */
  private static DatabaseValues loadDatabase(String[] args, Map<String, String> env) {
    CommandSpec command = CommandSpec.create();
    Config.addDatabaseOptions(command, env);
    new CommandLine(command).parseArgs(args);
    return Config.loadDatabase(command);
  }

  @Test
  void loadDatabase_flagBeatsEnvironmentThenDefaults() {
    DatabaseValues values = loadDatabase(new String[] {"--data-dir", "/srv/users"},
        Map.of("DATA_DIR", "/elsewhere", "DATABASE_USER", "app", "DATABASE_PASSWORD", "hunter2"));

    assertThat(values.dataDir()).isEqualTo(Path.of("/srv/users"));
    assertThat(values.url()).isEmpty();
    assertThat(values.user()).contains("app");
    assertThat(values.password()).contains("hunter2");
    assertThat(values.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(values.toString()).doesNotContain("hunter2");
  }

  @Test
  void loadDatabase_badTimeout_sameMessageAsTheServer() {
    Map<String, String> env = Map.of("DB_CONNECTION_TIMEOUT_MS", "10");

    assertThatThrownBy(() -> loadDatabase(new String[0], env)).isInstanceOf(ConfigException.class)
        .hasMessage("--db-connection-timeout-ms (DB_CONNECTION_TIMEOUT_MS): '10' (expected: milliseconds in 250..600000)");
    assertThatThrownBy(() -> Config.load(new String[0], env)).hasMessageStartingWith(
        "--db-connection-timeout-ms (DB_CONNECTION_TIMEOUT_MS): '10'");
  }

  @Test
  void load_otlpEndpoint_offByDefault_anHttpUrlFromEnvironment_elseRefused() {
    assertThat(Config.load(new String[0], Map.of()).otlpEndpoint()).isEmpty();
    assertThat(Config.load(new String[0], Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"))
        .otlpEndpoint()).contains(java.net.URI.create("http://collector:4318"));
    assertThatThrownBy(() -> Config.load(new String[] {"--otlp-endpoint=collector:4318"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--otlp-endpoint (OTEL_EXPORTER_OTLP_ENDPOINT): 'collector:4318'")
        .hasMessageContaining("http://");
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
  void load_repeatedFlag_lastWins() {
    Config config = Config.load(new String[] {"--grpc-port=0", "--metrics-port", "0", "--grpc-port", "6001"}, Map.of());

    assertThat(config.grpcPort()).isEqualTo(6001);
  }

  @Test
  void load_valuesThatLookLikeSyntax_takenLiterally(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("file"), "not the password");
    String atFile = "@" + dir.resolve("file");

    Config fromFlags = Config.load(new String[] {"--database-password", atFile, "--database-user=${USER}"}, Map.of());
    Config fromEnvironment = Config.load(new String[0], Map.of("DATABASE_PASSWORD", "${HOME}%n"));

    assertThat(fromFlags.databasePassword()).contains(atFile);
    assertThat(fromFlags.databaseUser()).contains("${USER}");
    assertThat(fromEnvironment.databasePassword()).contains("${HOME}%n");
  }

  @Test
  void load_blankEnvironmentOrFlag_default() {
    Config config = Config.load(new String[] {"--data-dir="}, Map.of("GRPC_PORT", " "));

    assertThat(config.grpcPort()).isEqualTo(50051);
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
  }

  @Test
  void load_flagWithoutValueOrStrayArgument_rejected() {
    assertThatThrownBy(() -> Config.load(new String[] {"--grpc-port"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--grpc-port");
    assertThatThrownBy(() -> Config.load(new String[] {"serve-now"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("serve-now");
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

  @Test
  void load_nothingGiven_observabilityAndLimitDefaults() {
    Config config = Config.load(new String[0], Map.of());

    assertThat(config.metricsPort()).isEqualTo(9464);
    assertThat(config.healthPort()).isZero();
    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(config.adminServices()).isFalse();
    assertThat(config.limits()).isEqualTo(new TransportLimits(4 * 1024 * 1024, 8192, 100, Duration.ofSeconds(20),
        true, Duration.ofMinutes(30), Duration.ofMinutes(1), 50, 500, 8192, 200, Duration.ofSeconds(10)));
  }

  @Test
  void load_streamAndResetLimits_fromFlagsAndEnvironment() {
    Config config = Config.load(new String[] {"--max-streams-per-connection=3", "--stream-buffer-bytes=4096",
        "--rst-frames-window-seconds=2"}, Map.of("MAX_STREAMS", "9", "MAX_RST_FRAMES_PER_WINDOW", "0"));

    assertThat(config.limits().maxStreamsPerConnection()).isEqualTo(3);
    assertThat(config.limits().maxStreams()).isEqualTo(9);
    assertThat(config.limits().streamBufferBytes()).isEqualTo(4096);
    assertThat(config.limits().maxRstFramesPerWindow()).isZero();
    assertThat(config.limits().rstFramesWindow()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void load_zeroStreams_messageNamesSettingAndRange() {
    assertThatThrownBy(() -> Config.load(new String[] {"--max-streams=0"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--max-streams (MAX_STREAMS): '0' (expected: an integer in 1..1000000)");
  }

  @Test
  void load_observabilityAndLimitSettings_fromFlagsAndEnvironment() {
    Config config = Config.load(new String[] {"--log-format=json", "--max-connection-age-ms=0",
        "--keepalive-permit-without-calls=false"}, Map.of("METRICS_PORT", "0", "HEALTH_PORT", "8086", "ADMIN_SERVICES", "true",
        "MAX_INBOUND_MESSAGE_BYTES", "65536", "MAX_CONCURRENT_CALLS_PER_CONNECTION", "7"));

    assertThat(config.metricsPort()).isZero();
    assertThat(config.healthPort()).isEqualTo(8086);
    assertThat(config.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(config.adminServices()).isTrue();
    assertThat(config.limits().maxInboundMessageBytes()).isEqualTo(65536);
    assertThat(config.limits().maxConcurrentCallsPerConnection()).isEqualTo(7);
    assertThat(config.limits().maxConnectionAge()).isZero();
    assertThat(config.limits().keepAlivePermitWithoutCalls()).isFalse();
  }

  @Test
  void load_badLogFormatOrFlag_messageNamesSettingValueAndExpectation() {
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--log-format (LOG_FORMAT): 'xml' (expected: one of [text, json])");
    assertThatThrownBy(() -> Config.load(new String[] {"--admin-services=yes"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--admin-services (ADMIN_SERVICES): 'yes' (expected: true or false)");
    assertThatThrownBy(() -> Config.load(new String[] {"--max-inbound-message-bytes=10"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'10'").hasMessageContaining("1024..");
  }

  @Test
  void load_threadSettings_defaultToZeroAndRejectNegatives() {
    Config config = Config.load(new String[0], Map.of());
    assertThat(config.callThreads()).isZero();
    assertThat(config.eventLoopThreads()).isZero();
    assertThat(Config.load(new String[] {"--call-threads=16", "--event-loop-threads=2"}, Map.of()).callThreads())
        .isEqualTo(16);
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("CALL_THREADS", "-1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CALL_THREADS");
  }

  @Test
  void load_eventLoopPoll_aMillisecondByDefault_zeroTurnsItOff_inMicroseconds() {
    assertThat(Config.load(new String[0], Map.of()).eventLoopPoll()).isEqualTo(Duration.ofMillis(1));
    assertThat(Config.load(new String[] {"--event-loop-poll-us=0"}, Map.of()).eventLoopPoll()).isZero();
    assertThat(Config.load(new String[0], Map.of("EVENT_LOOP_POLL_US", "250")).eventLoopPoll())
        .isEqualTo(Duration.ofNanos(250_000));
    assertThatThrownBy(() -> Config.load(new String[0], Map.of("EVENT_LOOP_POLL_US", "-1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("EVENT_LOOP_POLL_US");
  }

  @Test
  void load_hashSettings_defaultsFromFlagsAndEnvironmentAndValidated() {
    Config defaults = Config.load(new String[0], Map.of());
    assertThat(defaults.hashThreads()).isZero();
    assertThat(defaults.hashQueue()).isEqualTo(32);
    Config set = Config.load(new String[] {"--hash-threads=3"}, Map.of("HASH_QUEUE", "0"));
    assertThat(set.hashThreads()).isEqualTo(3);
    assertThat(set.hashQueue()).isZero();
    assertThatThrownBy(() -> Config.load(new String[] {"--hash-queue=-1"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("HASH_QUEUE");
  }
}
