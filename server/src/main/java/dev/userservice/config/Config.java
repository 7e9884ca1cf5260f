package dev.userservice.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The service's whole configuration, immutable and validated when it is loaded: flags first,
 * then environment variables, then defaults. {@link #SETTINGS} is the one list of settings the
 * command line, its help and the README's settings table are made from.
 *
 * @param grpcPort port of the gRPC server (0 picks a free one)
 * @param databaseUrl JDBC or {@code postgres://} URL; empty selects the embedded H2 database
 * @param databaseUser database user, when not in the URL
 * @param databasePassword database password, when not in the URL
 * @param dataDir folder of the embedded database
 * @param poolSize most connections the pool opens
 * @param connectionTimeout longest wait for a pooled connection before UNAVAILABLE
 * @param healthInterval time between two checks of the database for the health service
 * @param shutdownGrace time calls in flight get to finish at shutdown
 * @param tokens how access tokens are signed and verified
 * @param loginMaxFailures failed logins for one email before it is locked out
 * @param loginLockout how long those failures count, and so the longest lockout
 * @param tls TLS for the gRPC port, when configured
 * @param metricsPort port of the Prometheus endpoint; 0 turns it off
 * @param healthPort plaintext port serving the health service alone, for probes that cannot
 *     speak TLS; 0 turns it off
 * @param logFormat text or JSON lines
 * @param otlpEndpoint base URL of an OTLP/HTTP collector that receives the traces; empty turns
 *     tracing off
 * @param limits limits the gRPC transport enforces per connection
 * @param adminServices whether channelz and the other grpc admin services are served
 * @param drainDelay time between turning health NOT_SERVING and refusing new calls at shutdown,
 *     so load balancers and Kubernetes endpoints stop sending first
 * @param callThreads threads that run calls; 0 for as many as {@code poolSize}
 * @param eventLoopThreads Netty I/O threads; 0 for half the cores, at least one
 * @param eventLoopPoll how long an event loop awaiting database answers for calls it read polls
 *     for them since its last event instead of sleeping; zero: it sleeps at once
 * @param hashThreads threads that hash and verify passwords; 0 for half the cores, as many as a quarter of the heap holds, at least one
 * @param hashQueue password hashing work that may wait for a thread; more is refused with UNAVAILABLE
 */
public record Config(
    int grpcPort,
    Optional<String> databaseUrl,
    Optional<String> databaseUser,
    Optional<String> databasePassword,
    Path dataDir,
    int poolSize,
    Duration connectionTimeout,
    Duration healthInterval,
    Duration shutdownGrace,
    TokenValues tokens,
    int loginMaxFailures,
    Duration loginLockout,
    Optional<TlsSettings> tls,
    int metricsPort,
    int healthPort,
    LogFormat logFormat,
    Optional<URI> otlpEndpoint,
    TransportLimits limits,
    boolean adminServices,
    Duration drainDelay,
    int callThreads,
    int eventLoopThreads,
    Duration eventLoopPoll,
    int hashThreads,
    int hashQueue) {

  static final Setting GRPC_PORT = Setting.of("grpc-port", "GRPC_PORT", "50051", "gRPC port (0 picks a free one)")
      .within(0, 65535);
  static final Setting DATABASE_URL = Setting.of("database-url", "DATABASE_URL", null,
      "jdbc:postgresql://..., postgres://user:pass@host/db or jdbc:h2:...; several hosts (h1:5432,h2:5432):"
          + " the primary among them; unset uses H2 under --data-dir");
  static final Setting DATABASE_USER = Setting.of("database-user", "DATABASE_USER", null, "database user");
  static final Setting DATABASE_PASSWORD = Setting.secret("database-password", "DATABASE_PASSWORD", "database password");
  static final Setting DATA_DIR = Setting.of("data-dir", "DATA_DIR", "./data", "folder of the embedded H2 database");
  static final Setting POOL_SIZE = Setting.of("db-pool-size", "DB_POOL_SIZE", "10", "most pooled database connections")
      .within(1, 1000);
  static final Setting CONNECTION_TIMEOUT = Setting.of("db-connection-timeout-ms", "DB_CONNECTION_TIMEOUT_MS", "2000",
      "longest wait for a pooled connection, then UNAVAILABLE")
      .within(250, 600_000);
  static final Setting HEALTH_INTERVAL = Setting.of("health-interval-ms", "HEALTH_INTERVAL_MS", "2000",
      "time between database checks behind the health service")
      .within(100, 600_000);
  static final Setting SHUTDOWN_GRACE = Setting.of("shutdown-grace-ms", "SHUTDOWN_GRACE_MS", "10000",
      "time calls in flight get to finish at shutdown")
      .within(0, 3_600_000);
  static final Setting JWT_SECRET = Setting.secret("jwt-secret", "JWT_SECRET",
      "HS256 token secret, at least 32 bytes; unset (and no key file): random, tokens die with the process");
  static final Setting JWT_PUBLIC_KEY_FILE = Setting.of("jwt-public-key-file", "JWT_PUBLIC_KEY_FILE", null,
      "PEM RSA or EC P-256 public key: verify RS256/ES256 tokens instead of HS256");
  static final Setting JWT_PRIVATE_KEY_FILE = Setting.of("jwt-private-key-file", "JWT_PRIVATE_KEY_FILE", null,
      "PKCS#8 PEM private key matching the public key, so Login can issue tokens");
  static final Setting JWT_ISSUER = Setting.of("jwt-issuer", "JWT_ISSUER", "user-service", "required iss claim");
  static final Setting JWT_AUDIENCE = Setting.of("jwt-audience", "JWT_AUDIENCE", "user-service", "required aud claim");
  static final Setting TOKEN_TTL = Setting.of("token-ttl-seconds", "TOKEN_TTL_SECONDS", "900",
      "lifetime of tokens Login issues")
      .within(30, 86_400);
  static final Setting JWT_CLOCK_SKEW = Setting.of("jwt-clock-skew-seconds", "JWT_CLOCK_SKEW_SECONDS", "30",
      "tolerance for exp and nbf")
      .within(0, 300);
  static final Setting LOGIN_MAX_FAILURES = Setting.of("login-max-failures", "LOGIN_MAX_FAILURES", "5",
      "failed logins for one email before further attempts are refused")
      .within(1, 1000);
  static final Setting LOGIN_LOCKOUT = Setting.of("login-lockout-seconds", "LOGIN_LOCKOUT_SECONDS", "900",
      "window in which failures count; the longest lockout")
      .within(1, 86_400);
  static final Setting TLS_CERT_FILE = Setting.of("tls-cert-file", "TLS_CERT_FILE", null,
      "PEM certificate chain: serve TLS (needs --tls-key-file)");
  static final Setting TLS_KEY_FILE = Setting.of("tls-key-file", "TLS_KEY_FILE", null, "PEM private key of the certificate");
  static final Setting TLS_CLIENT_CA_FILE = Setting.of("tls-client-ca-file", "TLS_CLIENT_CA_FILE", null,
      "PEM CA certificates: require client certificates signed by them (mTLS)");
  static final Setting METRICS_PORT = Setting.of("metrics-port", "METRICS_PORT", "9464",
      "port of the Prometheus endpoint /metrics (0 turns it off)")
      .within(0, 65535);
  static final Setting HEALTH_PORT = Setting.of("health-port", "HEALTH_PORT", "0",
      "plaintext port serving only the health service, for probes that cannot speak TLS (0: off)")
      .within(0, 65535);
  static final Setting LOG_FORMAT = Setting.of("log-format", "LOG_FORMAT", "text",
      "text, or json for one ECS JSON object per line");
  static final Setting OTLP_ENDPOINT = Setting.of("otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", null,
      "http(s) base URL of an OTLP collector: send traces to its /v1/traces (unset: no tracing)");
  static final Setting MAX_INBOUND_MESSAGE = Setting.of("max-inbound-message-bytes", "MAX_INBOUND_MESSAGE_BYTES",
      "4194304", "largest request message; larger ones fail with RESOURCE_EXHAUSTED")
      .within(1024, 256 * 1024 * 1024);
  static final Setting MAX_INBOUND_METADATA = Setting.of("max-inbound-metadata-bytes", "MAX_INBOUND_METADATA_BYTES",
      "8192", "largest request header block")
      .within(1024, 1024 * 1024);
  static final Setting MAX_CONCURRENT_CALLS = Setting.of("max-concurrent-calls-per-connection",
      "MAX_CONCURRENT_CALLS_PER_CONNECTION", "100", "most calls open at once on one client connection; more wait")
      .within(1, 1_000_000);
  static final Setting KEEPALIVE_PERMIT_TIME = Setting.of("keepalive-permit-time-ms", "KEEPALIVE_PERMIT_TIME_MS",
      "20000", "shortest interval between client keepalive pings; faster pingers are disconnected")
      .within(0, 86_400_000);
  static final Setting KEEPALIVE_PERMIT_WITHOUT_CALLS = Setting.of("keepalive-permit-without-calls",
      "KEEPALIVE_PERMIT_WITHOUT_CALLS", "true", "whether clients may ping while they have no call open");
  static final Setting MAX_CONNECTION_AGE = Setting.of("max-connection-age-ms", "MAX_CONNECTION_AGE_MS", "1800000",
      "age after which a connection is asked to go away, so load balancers rebalance (0: never)")
      .within(0, 30L * 86_400_000);
  static final Setting MAX_CONNECTION_AGE_GRACE = Setting.of("max-connection-age-grace-ms",
      "MAX_CONNECTION_AGE_GRACE_MS", "60000", "time calls in flight get after that before the connection closes")
      .within(0, 86_400_000);
  static final Setting MAX_STREAMS_PER_CONNECTION = Setting.of("max-streams-per-connection",
      "MAX_STREAMS_PER_CONNECTION", "50", "most streaming calls open at once on one connection; more: RESOURCE_EXHAUSTED")
      .within(1, 1_000_000);
  static final Setting MAX_STREAMS = Setting.of("max-streams", "MAX_STREAMS", "500",
      "most streaming calls open at once on the server; more: RESOURCE_EXHAUSTED")
      .within(1, 1_000_000);
  static final Setting STREAM_BUFFER_BYTES = Setting.of("stream-buffer-bytes", "STREAM_BUFFER_BYTES", "8192",
      "bytes a response stream queues for a client that does not read before it waits")
      .within(1024, 16 * 1024 * 1024);
  static final Setting MAX_RST_FRAMES = Setting.of("max-rst-frames-per-window", "MAX_RST_FRAMES_PER_WINDOW", "200",
      "stream resets a client may send per window before GOAWAY (rapid reset guard; 0: off)")
      .within(0, 1_000_000);
  static final Setting RST_FRAMES_WINDOW = Setting.of("rst-frames-window-seconds", "RST_FRAMES_WINDOW_SECONDS", "10",
      "the window of --max-rst-frames-per-window")
      .within(1, 3600);
  static final Setting ADMIN_SERVICES = Setting.of("admin-services", "ADMIN_SERVICES", "false",
      "serve channelz and the other grpc admin services (admin role required)");
  static final Setting CALL_THREADS = Setting.of("call-threads", "CALL_THREADS", "0",
      "threads that run calls (0: as many as --db-pool-size)")
      .within(0, 10_000);
  static final Setting EVENT_LOOP_THREADS = Setting.of("event-loop-threads", "EVENT_LOOP_THREADS", "0",
      "Netty I/O threads (0: half the cores, at least 1)")
      .within(0, 1_000);
  static final Setting EVENT_LOOP_POLL = Setting.of("event-loop-poll-us", "EVENT_LOOP_POLL_US", "1000",
      "while database answers for calls it read are awaited, how long an event loop polls for them since its last event instead of sleeping (0: never polls)")
      .within(0, 100_000);
  static final Setting HASH_THREADS = Setting.of("hash-threads", "HASH_THREADS", "0",
      "threads that hash and verify passwords for CreateUser and Login (0: half the cores, at most a quarter of the heap at 19 MiB each, at least 1)")
      .within(0, 1_000);
  static final Setting HASH_QUEUE = Setting.of("hash-queue", "HASH_QUEUE", "32",
      "CreateUser-with-password and Login calls that may wait for a hashing thread; more get UNAVAILABLE")
      .within(0, 100_000);
  static final Setting DRAIN_DELAY = Setting.of("drain-delay-ms", "DRAIN_DELAY_MS", "5000",
      "time between health NOT_SERVING and refusing new calls at shutdown")
      .within(0, 600_000);

  /** Every setting, in the order {@code --help} and the README list them. */
  public static final List<Setting> SETTINGS = List.of(GRPC_PORT, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD,
      DATA_DIR, POOL_SIZE, CONNECTION_TIMEOUT, HEALTH_INTERVAL, SHUTDOWN_GRACE, JWT_SECRET, JWT_PUBLIC_KEY_FILE,
      JWT_PRIVATE_KEY_FILE, JWT_ISSUER, JWT_AUDIENCE, TOKEN_TTL, JWT_CLOCK_SKEW, LOGIN_MAX_FAILURES, LOGIN_LOCKOUT,
      TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE, METRICS_PORT, HEALTH_PORT, LOG_FORMAT, OTLP_ENDPOINT,
      MAX_INBOUND_MESSAGE,
      MAX_INBOUND_METADATA, MAX_CONCURRENT_CALLS, KEEPALIVE_PERMIT_TIME, KEEPALIVE_PERMIT_WITHOUT_CALLS,
      MAX_CONNECTION_AGE, MAX_CONNECTION_AGE_GRACE, MAX_STREAMS_PER_CONNECTION, MAX_STREAMS, STREAM_BUFFER_BYTES,
      MAX_RST_FRAMES, RST_FRAMES_WINDOW, ADMIN_SERVICES, DRAIN_DELAY, CALL_THREADS, EVENT_LOOP_THREADS, EVENT_LOOP_POLL,
      HASH_THREADS,
      HASH_QUEUE);

  /** The settings that say where the database is: all a command that only opens it reads. */
  public static final List<Setting> DATABASE_SETTINGS = List.of(DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD,
      DATA_DIR, CONNECTION_TIMEOUT);

  /**
   * Loads the configuration from command-line flags and the environment.
   *
   * @throws ConfigException naming the setting, its value and what was expected
   */
  public static Config load(String[] args, Map<String, String> env) {
    return loadDescribed(args, env).config();
  }

  /** Loads the configuration along with its printable, secret-free description. */
  public static Described loadDescribed(String[] args, Map<String, String> env) {
    CommandSpec command = CommandSpec.create().name("user-service");
    addOptions(command, env);
    try {
      new CommandLine(command).parseArgs(args);
    } catch (ParameterException e) {
      throw new ConfigException(e.getMessage() + " (see --help)");
    }
    return loadDescribed(command);
  }

  /**
   * Adds every setting to the command as an option that falls back to its variable in
   * {@code env}, then to its default; {@link #loadDescribed(CommandSpec)} reads them once parsed.
   */
  public static void addOptions(CommandSpec command, Map<String, String> env) {
    SettingOptions.addTo(command, SETTINGS, env);
  }

  /**
   * Loads the configuration from a command parsed with the options of {@link #addOptions}.
   *
   * @throws ConfigException naming the setting, its value and what was expected
   */
  public static Described loadDescribed(CommandSpec parsed) {
    SettingValues values = new SettingValues(SettingOptions.values(parsed));
    Config config = new Config(
        values.integer(GRPC_PORT),
        values.optional(DATABASE_URL),
        values.optional(DATABASE_USER),
        values.optional(DATABASE_PASSWORD),
        Path.of(values.string(DATA_DIR)),
        values.integer(POOL_SIZE),
        connectionTimeout(values),
        values.millis(HEALTH_INTERVAL),
        values.millis(SHUTDOWN_GRACE),
        tokens(values),
        values.integer(LOGIN_MAX_FAILURES),
        Duration.ofSeconds(values.integer(LOGIN_LOCKOUT)),
        tls(values),
        values.integer(METRICS_PORT),
        values.integer(HEALTH_PORT),
        logFormat(values),
        otlpEndpoint(values),
        limits(values),
        values.bool(ADMIN_SERVICES),
        values.millis(DRAIN_DELAY),
        values.integer(CALL_THREADS),
        values.integer(EVENT_LOOP_THREADS),
        Duration.of(values.integer(EVENT_LOOP_POLL), ChronoUnit.MICROS),
        values.integer(HASH_THREADS),
        values.integer(HASH_QUEUE));
    return new Described(config, values.describe());
  }

  /**
   * Adds the {@link #DATABASE_SETTINGS} to the command as options, as {@link #addOptions} does for
   * all of them; {@link #loadDatabase} reads them once parsed.
   */
  public static void addDatabaseOptions(CommandSpec command, Map<String, String> env) {
    SettingOptions.addTo(command, DATABASE_SETTINGS, env);
  }

  /**
   * The database settings of a command parsed with the options of {@link #addDatabaseOptions},
   * checked as the server checks them.
   *
   * @throws ConfigException naming the setting, its value and what was expected
   */
  public static DatabaseValues loadDatabase(CommandSpec parsed) {
    SettingValues values = new SettingValues(SettingOptions.values(parsed));
    return new DatabaseValues(values.optional(DATABASE_URL), values.optional(DATABASE_USER),
        values.optional(DATABASE_PASSWORD), Path.of(values.string(DATA_DIR)),
        connectionTimeout(values));
  }

  private static Duration connectionTimeout(SettingValues values) {
    return values.millis(CONNECTION_TIMEOUT);
  }

  private static TokenValues tokens(SettingValues values) {
    Optional<String> secret = values.optional(JWT_SECRET);
    if (secret.isPresent() && secret.get().getBytes(StandardCharsets.UTF_8).length < TokenValues.MIN_SECRET_BYTES) {
      throw SettingValues.invalid(JWT_SECRET, secret.get(), "at least " + TokenValues.MIN_SECRET_BYTES + " bytes");
    }
    Optional<Path> publicKey = values.readableFile(JWT_PUBLIC_KEY_FILE);
    Optional<Path> privateKey = values.readableFile(JWT_PRIVATE_KEY_FILE);
    if (privateKey.isPresent() && publicKey.isEmpty()) {
      throw SettingValues.invalid(JWT_PRIVATE_KEY_FILE, privateKey.get().toString(),
          "to be given with " + JWT_PUBLIC_KEY_FILE.displayName());
    }
    if (secret.isPresent() && publicKey.isPresent()) {
      throw SettingValues.invalid(JWT_SECRET, secret.get(), "unset when " + JWT_PUBLIC_KEY_FILE.displayName()
          + " is given: the algorithm is pinned to one key");
    }
    return new TokenValues(secret, publicKey, privateKey, values.string(JWT_ISSUER), values.string(JWT_AUDIENCE),
        Duration.ofSeconds(values.integer(TOKEN_TTL)),
        Duration.ofSeconds(values.integer(JWT_CLOCK_SKEW)));
  }

  private static LogFormat logFormat(SettingValues values) {
    String raw = values.oneOf(LOG_FORMAT, List.of(LogFormat.TEXT.value(), LogFormat.JSON.value()));
    return LogFormat.TEXT.value().equals(raw) ? LogFormat.TEXT : LogFormat.JSON;
  }

  private static Optional<URI> otlpEndpoint(SettingValues values) {
    Optional<String> raw = values.optional(OTLP_ENDPOINT);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(raw.get());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException ignored) {
      // reported below
    }
    throw SettingValues.invalid(OTLP_ENDPOINT, raw.get(), "an http:// or https:// URL such as http://collector:4318");
  }

  private static TransportLimits limits(SettingValues values) {
    return new TransportLimits(
        values.integer(MAX_INBOUND_MESSAGE),
        values.integer(MAX_INBOUND_METADATA),
        values.integer(MAX_CONCURRENT_CALLS),
        values.millis(KEEPALIVE_PERMIT_TIME),
        values.bool(KEEPALIVE_PERMIT_WITHOUT_CALLS),
        values.millis(MAX_CONNECTION_AGE),
        values.millis(MAX_CONNECTION_AGE_GRACE),
        values.integer(MAX_STREAMS_PER_CONNECTION),
        values.integer(MAX_STREAMS),
        values.integer(STREAM_BUFFER_BYTES),
        values.integer(MAX_RST_FRAMES),
        Duration.ofSeconds(values.integer(RST_FRAMES_WINDOW)));
  }

  private static Optional<TlsSettings> tls(SettingValues values) {
    Optional<Path> cert = values.readableFile(TLS_CERT_FILE);
    Optional<Path> key = values.readableFile(TLS_KEY_FILE);
    Optional<Path> clientCa = values.readableFile(TLS_CLIENT_CA_FILE);
    if (cert.isPresent() != key.isPresent()) {
      Setting missing = cert.isPresent() ? TLS_KEY_FILE : TLS_CERT_FILE;
      throw SettingValues.invalid(missing, "", "set together with the other of --tls-cert-file and --tls-key-file");
    }
    if (clientCa.isPresent() && cert.isEmpty()) {
      throw SettingValues.invalid(TLS_CLIENT_CA_FILE, clientCa.get().toString(), "to be given with --tls-cert-file");
    }
    return cert.map(c -> new TlsSettings(c, key.get(), clientCa));
  }

  /** Like the record's own, but never shows a password or secret. */
  @Override
  public String toString() {
    return "Config[grpcPort=" + grpcPort + ", databaseUrl="
        + databaseUrl.map(SettingValues::maskCredentials).orElse("(embedded)")
        + ", databaseUser=" + databaseUser.orElse("") + ", databasePassword=" + (databasePassword.isPresent() ? "****" : "")
        + ", dataDir=" + dataDir + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout
        + ", healthInterval=" + healthInterval + ", shutdownGrace=" + shutdownGrace + ", tokens=" + tokens
        + ", loginMaxFailures=" + loginMaxFailures + ", loginLockout=" + loginLockout + ", tls=" + tls
        + ", metricsPort=" + metricsPort + ", healthPort=" + healthPort + ", logFormat=" + logFormat
        + ", otlpEndpoint=" + otlpEndpoint + ", limits=" + limits
        + ", adminServices=" + adminServices + ", drainDelay=" + drainDelay
        + ", callThreads=" + callThreads + ", eventLoopThreads=" + eventLoopThreads + ", eventLoopPoll=" + eventLoopPoll
        + ", hashThreads=" + hashThreads + ", hashQueue=" + hashQueue + "]";
  }

  /** A loaded configuration and each setting's value as it may be logged. */
  public record Described(Config config, Map<String, String> settings) {}
}
