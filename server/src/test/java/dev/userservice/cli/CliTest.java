package dev.userservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.bench.BenchOptions;
import dev.userservice.config.Config;
import dev.userservice.config.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(Map<String, String> env, String... args) {
    CommandLine line = Cli.commandLine(env);
    line.setOut(new PrintWriter(out));
    line.setErr(new PrintWriter(err));
    return line.execute(args);
  }

  private static BenchOptions benchOptions(Map<String, String> env, String... args) {
    CommandLine.ParseResult parsed = Cli.commandLine(env).parseArgs(args);
    BenchCommand bench = parsed.subcommand().commandSpec().commandLine().getCommand();
    return bench.options();
  }

  @Test
  void help_server_listsEverySettingWithItsVariableDefaultAndRange() {
    assertThat(execute(Map.of(), "--help")).isZero();

    String help = out.toString().replaceAll("\\s+", " ");
    for (Setting setting : Config.SETTINGS) {
      String where = "(env " + setting.env()
          + (setting.defaultValue() == null ? "" : ", default " + setting.defaultValue())
          + setting.range().map(range -> ", from " + range.min() + " to " + range.max()).orElse("") + ")";
      assertThat(help).contains("--" + setting.flag() + "=<value>").contains(where);
    }
    assertThat(help).startsWith("Usage: user-service [OPTIONS] [COMMAND]").contains("bench")
        .contains("(env TOKEN_TTL_SECONDS, default 900, from 30 to 86400)");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void help_secretsInEnvironment_neverShown() {
    assertThat(execute(Map.of("JWT_SECRET", "a-very-long-secret-of-more-than-32-bytes",
        "DATABASE_PASSWORD", "hunter2"), "--help")).isZero();

    assertThat(out.toString()).doesNotContain("a-very-long-secret").doesNotContain("hunter2");
  }

  @Test
  void help_bench_listsItsOptionsAndDefaults() {
    assertThat(execute(Map.of(), "bench", "--help")).isZero();

    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help).startsWith("Usage: user-service bench")
        .contains("--rpc=<name>", "--target=<host:port>", "Default: localhost:50051", "--concurrency=<n>",
            "Default: 8", "--rate=<n>", "--warmup-seconds=<n>", "Default: 5", "--duration-seconds=<n>",
            "Default: 20", "--users=<n>", "Default: 10000", "--batch=<n>", "--page-size=<n>", "--calls=<n>",
            "--read-interval-ms=<n>", "--token=<jwt>", "--jwt-secret=<secret>");
  }

  @Test
  void help_adminGrantRole_listsItsOptionsAndTheDatabaseSettingsOnly() {
    assertThat(execute(Map.of("DATABASE_PASSWORD", "hunter2"), "admin", "grant-role", "--help")).isZero();

    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help).startsWith("Usage: user-service admin grant-role").contains("--email=<email>", "--role=<role>")
        .contains("Exit codes: 0 done").doesNotContain("hunter2").doesNotContain("--grpc-port");
    for (Setting setting : Config.DATABASE_SETTINGS) {
      assertThat(help).contains("--" + setting.flag() + "=<value>").contains("env " + setting.env());
    }
  }

  @Test
  void execute_adminGrantRole_badRole_exitCodeTwoBeforeTouchingTheDatabase() {
    assertThat(execute(Map.of("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/none"), "admin", "grant-role",
        "--email", "ada@example.com", "--role", "Admin")).isEqualTo(2);

    assertThat(err.toString()).startsWith("user-service admin grant-role: --role is 'Admin' (expected: 1 to 30"
        + " characters of a-z, 0-9, '-' and '_', starting with a letter)");
  }

  @Test
  void execute_adminGrantRole_noEmail_exitCodeTwoNamingIt() {
    assertThat(execute(Map.of(), "admin", "grant-role", "--role", "admin")).isEqualTo(2);

    assertThat(err.toString()).contains("Missing required option: '--email=<email>'");
  }

  @Test
  void execute_adminWithoutCommand_exitCodeTwoNamingThem() {
    assertThat(execute(Map.of(), "admin")).isEqualTo(2);

    assertThat(err.toString()).contains("a command is needed: grant-role, revoke-role or list-admins");
  }

  @Test
  void execute_adminGrantRole_databaseUnreachable_exitCodeOneSayingSo() {
    assertThat(execute(Map.of("DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/none", "DB_CONNECTION_TIMEOUT_MS", "500"),
        "admin", "grant-role", "--email", "ada@example.com", "--role", "admin")).isEqualTo(1);

    assertThat(err.toString()).startsWith("user-service admin grant-role: cannot connect to the database");
  }

  @Test
  void execute_badSetting_exitCodeTwoAndMessageOnStandardError() {
    assertThat(execute(Map.of("GRPC_PORT", "70000"))).isEqualTo(2);

    assertThat(err.toString()).startsWith("user-service: invalid configuration: "
        + "--grpc-port (GRPC_PORT): '70000' (expected: an integer in 0..65535)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void execute_badSecret_exitCodeTwoWithoutEchoingIt() {
    assertThat(execute(Map.of(), "--jwt-secret", "short-secret")).isEqualTo(2);

    assertThat(err.toString()).contains("--jwt-secret (JWT_SECRET): ****").doesNotContain("short-secret");
  }

  @Test
  void execute_unknownFlag_exitCodeTwoNamingIt() {
    assertThat(execute(Map.of(), "--grpc-prot=1")).isEqualTo(2);

    assertThat(err.toString()).contains("Unknown option: '--grpc-prot=1'").contains("--grpc-port")
        .contains("See 'user-service --help'");
  }

  @Test
  void benchOptions_onlyRpc_defaults() {
    BenchOptions options = benchOptions(Map.of(), "bench", "--rpc=get");

    assertThat(options).isEqualTo(new BenchOptions("localhost:50051", "get", 8, 0, Duration.ofSeconds(5),
        Duration.ofSeconds(20), 10_000, 1000, 1000, 0, Duration.ZERO, Optional.empty(), Optional.empty(),
        Optional.empty()));
  }

  @Test
  void benchOptions_spaceOrEqualsForms_same() {
    BenchOptions spaced = benchOptions(Map.of(), "bench", "--rpc", "list", "--target", "db:1", "--concurrency", "3",
        "--rate", "50", "--warmup-seconds", "0", "--duration-seconds", "7", "--users", "9", "--batch", "11",
        "--page-size", "13", "--read-interval-ms", "2", "--token", "t", "--ids-file", "ids.txt");
    BenchOptions equals = benchOptions(Map.of(), "bench", "--rpc=list", "--target=db:1", "--concurrency=3",
        "--rate=50", "--warmup-seconds=0", "--duration-seconds=7", "--users=9", "--batch=11", "--page-size=13",
        "--read-interval-ms=2", "--token=t", "--ids-file=ids.txt");

    assertThat(spaced).isEqualTo(equals).isEqualTo(new BenchOptions("db:1", "list", 3, 50, Duration.ZERO,
        Duration.ofSeconds(7), 9, 11, 13, 0, Duration.ofMillis(2), Optional.of("t"), Optional.empty(),
        Optional.of(Path.of("ids.txt"))));
  }

  @Test
  void benchOptions_updates_smallerDefaultBatch() {
    assertThat(benchOptions(Map.of(), "bench", "--rpc=updates").batch()).isEqualTo(100);
    assertThat(benchOptions(Map.of(), "bench", "--rpc=bulk").batch()).isEqualTo(1000);
  }

  @Test
  void benchOptions_jwtSecret_flagElseEnvironment() {
    assertThat(benchOptions(Map.of("JWT_SECRET", "from-env"), "bench", "--rpc=get").jwtSecret())
        .contains("from-env");
    assertThat(benchOptions(Map.of("JWT_SECRET", "from-env"), "bench", "--rpc=get", "--jwt-secret", "flag")
        .jwtSecret()).contains("flag");
  }

  @Test
  void execute_benchBadOption_exitCodeTwoNamingIt() {
    assertThat(execute(Map.of(), "bench", "--rpc=get", "--concurrency=0")).isEqualTo(2);
    assertThat(err.toString()).startsWith("user-service bench: --concurrency: 0 (expected: >= 1)");

    assertThat(execute(Map.of(), "bench", "--concurrency=2")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--rpc=<name>'");

    assertThat(execute(Map.of(), "bench", "--rpc=get", "--users=many")).isEqualTo(2);
    assertThat(err.toString()).contains("'--users': 'many' is not an int");
  }
}
