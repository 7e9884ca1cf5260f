package dev.userservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.testing.ServiceProcess;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.health.v1.HealthGrpc.HealthBlockingStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's command line: help, bad settings and both flag forms, as an operator meets them. */
class CommandLineIT {
  private static final Duration EXIT = Duration.ofSeconds(30);

  @Test
  void help_server_exitsZeroListingSettings() throws Exception {
    try (ServiceProcess help = ServiceProcess.launch(Map.of("JWT_SECRET", "a-very-long-secret-of-more-than-32-bytes"),
        "--help")) {
      assertThat(help.awaitExit(EXIT)).isZero();
      assertThat(help.output()).contains("Usage: user-service [OPTIONS] [COMMAND]")
          .contains("--hash-queue=<value>").contains("(env HASH_QUEUE, default 32, from 0 to 100000)")
          .doesNotContain("a-very-long-secret");
    }
  }

  @Test
  void help_bench_exitsZeroListingOptions() throws Exception {
    try (ServiceProcess help = ServiceProcess.launch(Map.of(), "bench", "--help")) {
      assertThat(help.awaitExit(EXIT)).isZero();
      assertThat(help.output()).contains("Usage: user-service bench").contains("--rpc=<name>");
    }
  }

  @Test
  void start_unknownFlag_exitsTwoNamingIt() throws Exception {
    try (ServiceProcess bad = ServiceProcess.launch(Map.of(), "--grpc-prot", "1")) {
      assertThat(bad.awaitExit(EXIT)).isEqualTo(2);
      assertThat(bad.output()).contains("user-service: Unknown options: '--grpc-prot', '1'")
          .contains("Possible solutions: --grpc-port")
          .contains("See 'user-service --help'.");
    }
  }

  @Test
  void start_flagsInBothForms_applied(@TempDir Path dataDir) throws Exception {
    try (ServiceProcess service = ServiceProcess.start(Map.of(), "--data-dir", dataDir.toString(), "--db-pool-size", "3",
        "--health-interval-ms=500")) {
      HealthBlockingStub health = HealthGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);

      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
      assertThat(service.output()).contains("db-pool-size=3").contains("health-interval-ms=500");
    }
  }
}
